import AttuneKernels
import Testing
import _AttuneTestSupport

/// bfloat16 scores (`ScorePrecision.bfloat16`): the rounding, then every path of the fused kernel
/// (hardware `vdpbf16ps` where the CPU has it, and the portable emulation) against the Float64
/// oracle on the rounded Q and K, where they must agree as closely as Float32 scores do, and
/// against the oracle on the exact inputs, which states their accuracy.
struct BFloat16ScoreTests {
  /// The bfloat16 nearest `x`, ties to even, computed in Double from the definition: a multiple
  /// of the bfloat16 spacing at `x`'s binade, 2^(e − 7) (2^−133 below the smallest normal).
  static func reference(_ x: Float) -> Float {
    guard x.isFinite, x != 0 else { return x }
    let exponent = max(Int(x.exponent), -126)
    let spacing = Double(sign: .plus, exponent: exponent - 7, significand: 1)
    let rounded = (Double(x) / spacing).rounded(.toNearestOrEven) * spacing
    let largest = Double(sign: .plus, exponent: 127, significand: 2 - 1.0 / 128)
    return abs(rounded) > largest ? (x < 0 ? -.infinity : .infinity) : Float(rounded)
  }

  static func rounded(_ values: [Float]) -> [Float] { values.map(reference) }

  @Test func roundingMatchesTheDefinition() {
    var generator = SplitMix64(seed: 11)
    var samples: [Float] = [
      0, -0, 1, -1, 1 + 1.0 / 256, 1 + 3.0 / 256, 1 + 1.0 / 512, 3.140625, .leastNormalMagnitude,
      .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 65504,
      Float(bitPattern: 0x3F80_8000), Float(bitPattern: 0x3F81_8000),
      Float(bitPattern: 0x7F7F_7FFF), Float(bitPattern: 0x7F7F_8000),
      Float(bitPattern: 0x0000_8000),
    ]
    for _ in 0..<20_000 {
      samples.append(Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())))
    }
    var checked = 0
    for x in samples where x.isFinite {
      let got = BFloat16Rounding.rounded(x)
      let want = Self.reference(x)
      #expect(
        got.bitPattern == want.bitPattern, "\(x) (\(x.bitPattern)): got \(got), want \(want)")
      checked += 1
    }
    #expect(checked > 19_000)
    #expect(BFloat16Rounding.rounded(.infinity) == .infinity)
    #expect(BFloat16Rounding.rounded(-.infinity) == -.infinity)
    #expect(BFloat16Rounding.rounded(.nan).isNaN)
    #expect(BFloat16Rounding.rounded(Float(bitPattern: 0x7F80_0001)).isNaN)  // low-bit payload
    #expect(BFloat16Rounding.pair(1, -2) == 0xC000_3F80)
  }

  /// The arithmetic each configuration is run with: the emulation always, the hardware where
  /// this CPU has it.
  static var arithmetics: [ScoreArithmetic] {
    ScorePrecision.bfloat16IsAccelerated
      ? [.bfloat16Emulated, .bfloat16Hardware] : [.bfloat16Emulated]
  }

  static let shapes: [AttentionShape] = [
    (1, 1, 64), (1, 1000, 64), (4, 700, 72), (7, 65, 3), (63, 64, 64), (64, 63, 1),
    (65, 1000, 16), (1000, 65, 65), (200, 200, 128),
  ].map { AttentionShape(queries: $0.0, keys: $0.1, headDim: $0.2) }

  static let masks: [AttentionMask] = [
    .none, .causal(.topLeft), .causal(.bottomRight),
    .slidingWindow(size: 16, alignment: .bottomRight),
  ]

  /// Runs `kernel` on `inputs` with bfloat16 scores computed as `arithmetic`.
  func run(
    _ kernel: any AttentionKernel, _ inputs: AttentionInputs, scale: Float, mask: AttentionMask,
    bias: [Float]?, arithmetic: ScoreArithmetic, kernels: MicroKernelTable = .current
  ) throws -> (output: [Float], lse: [Float]) {
    let shape = inputs.shape
    var output = [Float](repeating: .nan, count: shape.outputCount)
    var lse = [Float](repeating: .nan, count: shape.queries)
    let bias = bias ?? []
    try inputs.q.withUnsafeBufferPointer { q in
      try inputs.k.withUnsafeBufferPointer { k in
        try inputs.v.withUnsafeBufferPointer { v in
          try bias.withUnsafeBufferPointer { b in
            var problem = try AttentionProblem(q: q, k: k, v: v, shape: shape, scale: scale)
            problem.mask = mask
            problem.bias = b.isEmpty ? nil : b.baseAddress
            problem.scoreArithmetic = arithmetic
            problem.microKernels = kernels
            lse.withUnsafeMutableBufferPointer { l in
              problem.logSumExp = l.baseAddress
              output.withUnsafeMutableBufferPointer { o in kernel.compute(problem, into: o) }
            }
          }
        }
      }
    }
    return (output, lse)
  }

  @Test(
    "every path agrees with the oracle on bfloat16-rounded Q and K", arguments: masks)
  func agreementOnRoundedInputs(mask: AttentionMask) throws {
    for shape in Self.shapes {
      for data in [Problem.Data.random, .largeLogits] {
        for withBias in [false, true] {
          let problem = Problem(shape: shape, data: data, seed: UInt64(shape.queries * 5 + 3))
          var rounded = problem.inputs
          rounded.q = Self.rounded(rounded.q)
          rounded.k = Self.rounded(rounded.k)
          let bias = withBias ? MaskTests.bias(shape, seed: UInt64(shape.keys + 1)) : nil
          let want = Oracle.attentionAndLogSumExp(
            rounded, scale: Double(problem.scale), mask: mask, bias: bias)
          let bound = 2e-6 * problem.maxAbsValue
          for kernel in try MaskTests.configurations() {
            for arithmetic in Self.arithmetics {
              let (output, lse) = try run(
                kernel, problem.inputs, scale: problem.scale, mask: mask, bias: bias,
                arithmetic: arithmetic)
              let label =
                "\(kernel.configurationDescription) \(arithmetic) on \(shape) \(data) \(mask) bias \(withBias)"
              expectAgreement(output, lse, with: want, within: bound, label)
            }
          }
        }
      }
    }
  }

  /// The accuracy `ScorePrecision.bfloat16` states: on standard normal data, the output against
  /// the oracle on the exact inputs. It must also differ from Float32 scores, or the rounding
  /// did not happen.
  @Test("accuracy against the exact oracle", arguments: [16, 64, 128])
  func accuracyOnExactInputs(headDim: Int) throws {
    let shape = AttentionShape(queries: 256, keys: 512, headDim: headDim)
    let problem = Problem(shape: shape, data: .random, seed: UInt64(headDim))
    let want = problem.oracle()
    let scale = problem.maxAbsValue
    for arithmetic in Self.arithmetics {
      let (output, _) = try run(
        FusedAttention(), problem.inputs, scale: problem.scale, mask: .none, bias: nil,
        arithmetic: arithmetic)
      let error = maxAbsoluteError(output, want) / scale
      #expect(error <= 4e-3, "\(arithmetic) dk=\(headDim): relative error \(error)")
      #expect(error >= 1e-5, "\(arithmetic) dk=\(headDim): \(error) is Float32's, not rounded")
    }
  }

  @Test func theEntryPointsHonourTheOption() throws {
    let shape = AttentionShape(queries: 33, keys: 70, headDim: 9)
    let problem = Problem(shape: shape, data: .random, seed: 9)
    var rounded = problem.inputs
    rounded.q = Self.rounded(rounded.q)
    rounded.k = Self.rounded(rounded.k)
    let want = Oracle.attention(rounded, scale: Double(problem.scale))
    let options = AttentionOptions(scale: problem.scale, scorePrecision: .bfloat16)
    for kernel: any AttentionKernel in [FusedAttention(), NaiveAttention()] {
      let got = try problem.inputs.run(kernel, options: options)
      #expect(maxAbsoluteError(got, want) <= 2e-6 * problem.maxAbsValue, "\(kernel.name)")
    }
    #expect(throws: AttentionError.unsupportedFeature(kernel: "simd", feature: "bfloat16 scores")) {
      try problem.inputs.run(SIMDAttention(), options: options)
    }
  }

  @Test("multi-head, grouped-query and decode shapes", arguments: [1, 3, 40])
  func multiHead(queries: Int) throws {
    let shape = MultiHeadShape(
      batch: 2, heads: 4, kvHeads: 2,
      head: AttentionShape(queries: queries, keys: 300, headDim: 24, valueDim: 8))
    var generator = SplitMix64(seed: UInt64(queries))
    let q = MultiHeadTests.random(shape.queryCount, &generator)
    let k = MultiHeadTests.random(shape.keyCount, &generator)
    let v = MultiHeadTests.random(shape.valueCount, &generator)
    let mask = AttentionMask.causal(.bottomRight)
    let want = MultiHeadTests().oracle(
      Self.rounded(q), Self.rounded(k), v, shape, mask, nil)
    let got = try multiHeadAttention(
      q: q, k: k, v: v, shape: shape,
      options: AttentionOptions(mask: mask, scorePrecision: .bfloat16), logSumExp: true)
    let bound = 2e-6 * Double(v.map { abs($0) }.max() ?? 0)
    #expect(maxAbsoluteError(got.output, want.output) <= bound)
  }
}
