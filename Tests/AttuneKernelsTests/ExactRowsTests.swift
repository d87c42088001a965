import AttuneKernels
import Testing

/// The scan of each output row that decides which rows `ExactRows` recomputes: it reads bits eight
/// lanes at a time, so every lane of the vector body and of the tail is tried.
struct ExactRowsTests {
  @Test(arguments: [1, 7, 8, 9, 16, 63, 64, 65])
  func inspectionSeesEveryLane(count: Int) {
    var row = [Float](repeating: 0, count: count)
    let clean = ExactRows.inspect(row, count: count)
    #expect(clean.finite && clean.zeros)
    for lane in 0..<count {
      for value: Float in [.nan, .infinity, -.infinity, .signalingNaN] {
        row[lane] = value
        let seen = ExactRows.inspect(row, count: count)
        #expect(!seen.finite && !seen.zeros, "lane \(lane) of \(count): \(value)")
      }
      for value: Float in [.leastNonzeroMagnitude, -.greatestFiniteMagnitude, 1] {
        row[lane] = value
        let seen = ExactRows.inspect(row, count: count)
        #expect(seen.finite && !seen.zeros, "lane \(lane) of \(count): \(value)")
      }
      row[lane] = -0.0
      let negativeZero = ExactRows.inspect(row, count: count)
      #expect(negativeZero.finite && negativeZero.zeros, "lane \(lane) of \(count): -0")
      row[lane] = 0
    }
  }
}
