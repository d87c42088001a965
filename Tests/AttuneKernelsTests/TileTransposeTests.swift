import AttuneKernels
import Testing

/// The backward pass's tile transpose: whole 4 × 4 blocks and every kind of tail, leading
/// dimensions wider than the tile, nothing written outside it.
struct TileTransposeTests {
  @Test(arguments: [1, 3, 4, 5, 8, 9], [1, 2, 4, 7, 12])
  func transposes(rows: Int, columns: Int) {
    let (lds, ldd) = (columns + 3, rows + 2)
    let source = (0..<(rows * lds)).map { Float($0) }
    var destination = [Float](repeating: -1, count: columns * ldd)
    source.withUnsafeBufferPointer { s in
      destination.withUnsafeMutableBufferPointer { d in
        guard let s = s.baseAddress, let d = d.baseAddress else { return }
        TileTranspose.transpose(s, lds: lds, rows: rows, columns: columns, into: d, ldd: ldd)
      }
    }
    for j in 0..<columns {
      for i in 0..<ldd {
        let want = i < rows ? source[i * lds + j] : -1
        #expect(destination[j * ldd + i] == want, "row \(i), column \(j)")
      }
    }
  }
}
