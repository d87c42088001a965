import AttuneKernels
import Testing
import _AttuneTestSupport

/// Inputs at the edges of Float32: denormals, tiny and overflowing scores, wide heads, long
/// sequences.
struct AdversarialTests {
  static var kernels: [any AttentionKernel] {
    [NaiveAttention(), FusedAttention(), (try? SIMDAttention(blockSize: 32)) ?? NaiveAttention()]
  }

  @Test func denormalInputsMatchTheOracle() throws {
    let shape = AttentionShape(queries: 33, keys: 40, headDim: 16)
    var generator = SplitMix64(seed: 4)
    // Every Q and K entry a denormal (below 1.18e-38): the scores are 0 to Float32, the
    // softmax uniform; V's denormals must survive the products.
    let q = (0..<shape.queryCount).map { _ in Float(generator.nextGaussian()) * 1e-39 }
    let k = (0..<shape.keyCount).map { _ in Float(generator.nextGaussian()) * 1e-39 }
    let v = (0..<shape.valueCount).map { _ in Float(generator.nextGaussian()) * 1e-38 }
    let inputs = AttentionInputs(q: q, k: k, v: v, shape: shape)
    let want = Oracle.attention(inputs, scale: Double(shape.defaultScale))
    let maxV = Double(v.map { abs($0) }.max() ?? 0)
    for kernel in Self.kernels {
      let got = try inputs.run(kernel)
      #expect(got.allSatisfy { $0.isFinite })
      #expect(maxAbsoluteError(got, want) <= 1e-5 * maxV, "\(kernel.name)")
    }
  }

  @Test func tinyLogitsGiveTheMeanOfV() throws {
    let shape = AttentionShape(queries: 7, keys: 65, headDim: 8, valueDim: 3)
    let inputs = try AttentionInputs.random(shape: shape, seed: 2)
    for kernel in Self.kernels {
      let got = try inputs.run(kernel, options: AttentionOptions(scale: 1e-30))
      for column in 0..<3 {
        var mean = 0.0
        for key in 0..<65 { mean += Double(inputs.v[key * 3 + column]) / 65 }
        for row in 0..<7 {
          #expect(abs(Double(got[row * 3 + column]) - mean) <= 1e-6, "\(kernel.name)")
        }
      }
    }
  }

  @Test func scoresBeyondFloat32TouchOnlyTheirRow() throws {
    // Finite inputs whose dot product overflows Float32 (1e20 · 1e20): that row becomes
    // non-finite (documented), the others are untouched, and nothing traps.
    let shape = AttentionShape(queries: 4, keys: 5, headDim: 2)
    var q = [Float](repeating: 0.5, count: 8)
    q[2] = 1e20
    q[3] = 1e20
    var k = [Float](repeating: 0.5, count: 10)
    k[0] = 1e20
    let v = (0..<10).map { Float($0) }
    for kernel in Self.kernels {
      let got = try attention(q: q, k: k, v: v, shape: shape, kernel: kernel)
      for row in [0, 2, 3] {
        #expect(
          got[(row * 2)..<(row * 2 + 2)].allSatisfy { $0.isFinite }, "\(kernel.name) row \(row)")
      }
    }
  }

  @Test(arguments: [512, 1024])
  func wideHeadsMatchTheOracle(dk: Int) throws {
    let problem = Problem(
      shape: AttentionShape(queries: 65, keys: 70, headDim: dk, valueDim: dk), data: .random,
      seed: UInt64(dk))
    let want = problem.oracle()
    for kernel in Self.kernels + [try FusedAttention(blockQ: 16, blockK: 32, threads: 2)] {
      let got = try problem.inputs.run(kernel, options: problem.options)
      #expect(maxAbsoluteError(got, want) <= 2e-6 * problem.maxAbsValue, "\(kernel.name)")
    }
  }

  /// The fused kernel at 65 536 tokens on one side, checked on sampled rows (the oracle of the
  /// full problem would take minutes).
  @Test(arguments: [(65_536, 1024), (8, 65_536)])
  func longSequences(queries: Int, keys: Int) throws {
    let shape = AttentionShape(queries: queries, keys: keys, headDim: 32)
    let inputs = try AttentionInputs.random(shape: shape, seed: 65)
    let got = try inputs.run(FusedAttention())
    let rows = [0, 1, queries / 2, queries - 1]
    let sampled = AttentionInputs(
      q: rows.flatMap { Array(inputs.q[($0 * 32)..<($0 * 32 + 32)]) }, k: inputs.k, v: inputs.v,
      shape: AttentionShape(queries: rows.count, keys: keys, headDim: 32))
    let want = Oracle.attention(sampled, scale: Double(shape.defaultScale))
    let picked = rows.flatMap { Array(got[($0 * 32)..<($0 * 32 + 32)]) }
    let maxV = Double(inputs.v.map { abs($0) }.max() ?? 1)
    #expect(maxAbsoluteError(picked, want) <= 2e-6 * maxV)
  }
}
