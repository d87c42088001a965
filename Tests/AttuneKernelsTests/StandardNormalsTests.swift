import AttuneKernels
import Testing

/// Random inputs in bulk: the same samples whatever the threads, a prefix of a longer draw,
/// distinct streams, and a standard normal distribution (each bound five standard errors wide).
struct StandardNormalsTests {
  @Test func sameForAnyThreadCountAndPrefixOfLongerDraws() {
    let count = 3 * StandardNormals.blockSize + 17
    let one = StandardNormals.draw(count: count, seed: 7, stream: 1, threads: 1)
    #expect(one.count == count)
    #expect(StandardNormals.draw(count: count, seed: 7, stream: 1, threads: 2) == one)
    #expect(StandardNormals.draw(count: count, seed: 7, stream: 1, threads: 5) == one)
    for shorter in [1, 2, 999, StandardNormals.blockSize, StandardNormals.blockSize + 1] {
      #expect(
        StandardNormals.draw(count: shorter, seed: 7, stream: 1) == Array(one.prefix(shorter)),
        "\(shorter) samples")
    }
    #expect(StandardNormals.draw(count: 0, seed: 7, stream: 1).isEmpty)
    #expect(StandardNormals.draw(count: 1000, seed: 7, stream: 2) != Array(one.prefix(1000)))
    #expect(StandardNormals.draw(count: 1000, seed: 8, stream: 1) != Array(one.prefix(1000)))
  }

  @Test func standardNormalMoments() {
    let n = 1 << 20
    let samples = StandardNormals.draw(count: n, seed: 1, stream: 0)
    #expect(samples.allSatisfy { $0.isFinite })
    var (sum, squares, beyond) = (0.0, 0.0, 0)
    for x in samples {
      let value = Double(x)
      sum += value
      squares += value * value
      if abs(value) > 1.959964 { beyond += 1 }
    }
    let count = Double(n)
    let mean = sum / count
    let variance = squares / count - mean * mean
    let tail = Double(beyond) / count
    #expect(abs(mean) < 5 / count.squareRoot(), "mean \(mean)")
    #expect(abs(variance - 1) < 5 * (2 / count).squareRoot(), "variance \(variance)")
    #expect(abs(tail - 0.05) < 5 * (0.05 * 0.95 / count).squareRoot(), "P(|z| > 1.96) \(tail)")
  }
}
