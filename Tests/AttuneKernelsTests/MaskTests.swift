import AttuneKernels
import Testing
import _AttuneTestSupport

/// Masks, additive biases and log-sum-exp against the Float64 oracle (whose masks are written
/// from the definitions), on shapes with Nq ≠ Nk, rows that see no key, SIMD tails and tile edges.
struct MaskTests {
  /// Kernels that honour masks, in configurations that reach every path of the fused kernel:
  /// packed K (Nq > 4) and K read in place (Nq ≤ 4), one worker, several, and split key ranges
  /// (fewer query blocks than workers), tiles that divide nothing and tiles larger than N.
  static func configurations() throws -> [any AttentionKernel] {
    [
      NaiveAttention(),
      FusedAttention(),
      try FusedAttention(blockQ: 48, blockK: 80, threads: 1),
      try FusedAttention(blockQ: 48, blockK: 80, threads: 2),
      try FusedAttention(blockQ: 5, blockK: 33, threads: 2),
      try FusedAttention(blockQ: 77, blockK: 1, threads: 2),
      try FusedAttention(blockQ: 1, blockK: 1000, threads: 2),
      try FusedAttention(blockQ: 1024, blockK: 32, threads: 2),
      try FusedAttention(blockQ: 1024, blockK: 7, threads: 3),
    ]
  }

  static let masks: [AttentionMask] = [
    .none, .causal(.topLeft), .causal(.bottomRight), .slidingWindow(size: 1, alignment: .topLeft),
    .slidingWindow(size: 16, alignment: .bottomRight),
    .slidingWindow(size: 100, alignment: .topLeft),
  ]

  static let shapes: [AttentionShape] = [
    (1, 1, 64), (1, 1000, 64), (4, 700, 72), (7, 65, 3), (63, 64, 64), (64, 63, 64),
    (65, 1000, 16), (1000, 65, 64), (200, 200, 128),
  ].map { AttentionShape(queries: $0.0, keys: $0.1, headDim: $0.2) }

  /// A bias of quarters in [−2, 2] with some keys hidden (−∞), and every key of row 0 hidden.
  /// Quarters keep the "large logits" problems exact: a score of ±1e4 plus a quarter is still
  /// representable in Float32, so the comparison measures the kernels, not the rounding of the sum.
  static func bias(_ shape: AttentionShape, seed: UInt64) -> [Float] {
    var generator = SplitMix64(seed: seed)
    var bias = (0..<(shape.queries * shape.keys)).map { _ -> Float in
      let u = Float(generator.next() % 17) / 4 - 2
      return generator.next() % 7 == 0 ? -.infinity : u
    }
    for j in 0..<shape.keys { bias[j] = -.infinity }
    return bias
  }

  @Test("masked, biased attention and its log-sum-exp match the oracle", arguments: masks)
  func agreement(mask: AttentionMask) throws {
    for shape in Self.shapes {
      for data in [Problem.Data.random, .largeLogits] {
        for withBias in [false, true] {
          let problem = Problem(
            shape: shape, data: data, seed: UInt64(shape.queries * 7 + shape.keys))
          let bias = withBias ? Self.bias(shape, seed: UInt64(shape.keys)) : nil
          let want = Oracle.attentionAndLogSumExp(
            problem.inputs, scale: Double(problem.scale), mask: mask, bias: bias)
          let bound = 2e-6 * problem.maxAbsValue
          for kernel in try Self.configurations() {
            let (output, lse) = try run(kernel, problem, mask: mask, bias: bias)
            let label =
              "\(kernel.configurationDescription) on \(shape) \(data) \(mask) bias \(withBias)"
            expectAgreement(output, lse, with: want, within: bound, label)
          }
        }
      }
    }
  }

  /// A negative scale turns hidden keys' −∞ into +∞ if they are hidden before scaling: the
  /// kernels hide them after.
  @Test("a negative scale with masks matches the oracle", arguments: masks.dropFirst())
  func negativeScale(mask: AttentionMask) throws {
    for shape in Self.shapes {
      let problem = Problem(shape: shape, data: .random, seed: UInt64(shape.keys))
      let scale = -problem.scale
      let want = Oracle.attentionAndLogSumExp(
        problem.inputs, scale: Double(scale), mask: mask, bias: nil)
      for kernel in try Self.configurations() {
        let (output, lse) = try run(kernel, problem, mask: mask, bias: nil, scale: scale)
        let label = "\(kernel.configurationDescription) on \(shape) \(mask), scale \(scale)"
        expectAgreement(output, lse, with: want, within: 2e-6 * problem.maxAbsValue, label)
      }
    }
  }

  func run(
    _ kernel: any AttentionKernel, _ problem: Problem, mask: AttentionMask, bias: [Float]?,
    scale: Float? = nil
  ) throws -> ([Float], [Float]) {
    let scale = scale ?? problem.scale
    let shape = problem.inputs.shape
    var output = [Float](repeating: .nan, count: shape.outputCount)
    var lse = [Float](repeating: .nan, count: shape.queries)
    try problem.inputs.q.withUnsafeBufferPointer { q in
      try problem.inputs.k.withUnsafeBufferPointer { k in
        try problem.inputs.v.withUnsafeBufferPointer { v in
          try output.withUnsafeMutableBufferPointer { o in
            try lse.withUnsafeMutableBufferPointer { l in
              if let bias {
                try bias.withUnsafeBufferPointer { b in
                  try attention(
                    q: q, k: k, v: v, shape: shape, into: o, kernel: kernel,
                    options: AttentionOptions(scale: scale, mask: mask), bias: b,
                    logSumExp: l)
                }
              } else {
                try attention(
                  q: q, k: k, v: v, shape: shape, into: o, kernel: kernel,
                  options: AttentionOptions(scale: scale, mask: mask), logSumExp: l)
              }
            }
          }
        }
      }
    }
    return (output, lse)
  }

  @Test func rowsThatSeeNoKeyGiveZeros() throws {
    // Bottom-right causal with Nq > Nk: the first Nq − Nk rows see nothing.
    let shape = AttentionShape(queries: 10, keys: 4, headDim: 8)
    let problem = Problem(shape: shape, data: .random, seed: 5)
    for kernel in try Self.configurations() {
      let (output, lse) = try run(kernel, problem, mask: .causal(.bottomRight), bias: nil)
      #expect(output.prefix(6 * 8).allSatisfy { $0 == 0 }, "\(kernel.configurationDescription)")
      #expect(lse.prefix(6).allSatisfy { $0 == -.infinity })
      #expect(output.suffix(4 * 8).contains { $0 != 0 })
    }
  }

  @Test func kernelsWithoutMasksRefuseThem() throws {
    let problem = Problem(shape: .square(tokens: 8, headDim: 4), data: .random, seed: 1)
    #expect(throws: AttentionError.unsupportedFeature(kernel: "simd", feature: "masks")) {
      try problem.inputs.run(SIMDAttention(), options: AttentionOptions(mask: .causal(.topLeft)))
    }
    #expect(throws: AttentionError.invalidMask("a sliding window needs at least one key, got 0")) {
      try problem.inputs.run(
        FusedAttention(),
        options: AttentionOptions(mask: .slidingWindow(size: 0, alignment: .topLeft)))
    }
  }

  @Test func causalMaskRangesFollowTheDefinition() {
    for (nq, nk) in [(1, 1), (5, 9), (9, 5), (64, 64)] {
      for mask in Self.masks {
        for row in 0..<nq {
          let range = mask.allowedKeys(row: row, queries: nq, keys: nk)
          for key in 0..<nk {
            #expect(
              range.contains(key)
                == Oracle.visible(mask, row: row, key: key, queries: nq, keys: nk),
              "\(mask) row \(row) key \(key) of \(nq)×\(nk)")
          }
        }
      }
    }
  }
}
