import AttuneKernels
import Testing
import _AttuneTestSupport

/// Batches, heads and grouped-query attention against the per-head Float64 oracle.
struct MultiHeadTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let shape: MultiHeadShape
    let mask: AttentionMask
    let biasBatch: Int?
    let biasHeads: Int
    /// 1: one bias row shared by every query (PyTorch's padding mask `[B, 1, 1, Nk]`).
    var biasQueries: Int? = nil
    var testDescription: String {
      let rows = biasQueries.map(String.init) ?? "Nq"
      return
        "\(shape) \(mask) bias \(biasBatch.map { "[\($0), \(biasHeads), \(rows), Nk]" } ?? "none")"
    }
  }

  static let cases: [Case] = [
    Case(
      shape: MultiHeadShape(batch: 2, heads: 4, kvHeads: 4, head: .square(tokens: 65, headDim: 16)),
      mask: .none, biasBatch: nil, biasHeads: 1),
    Case(
      shape: MultiHeadShape(batch: 1, heads: 8, kvHeads: 2, head: .square(tokens: 33, headDim: 8)),
      mask: .causal(.topLeft), biasBatch: nil, biasHeads: 1),
    Case(
      shape: MultiHeadShape(
        batch: 2, heads: 6, kvHeads: 1,
        head: AttentionShape(queries: 7, keys: 100, headDim: 12, valueDim: 20)),
      mask: .causal(.bottomRight), biasBatch: 1, biasHeads: 1),
    Case(
      shape: MultiHeadShape(
        batch: 3, heads: 4, kvHeads: 2, head: AttentionShape(queries: 1, keys: 300, headDim: 64)),
      mask: .slidingWindow(size: 50, alignment: .bottomRight), biasBatch: 3, biasHeads: 4),
    Case(
      shape: MultiHeadShape(
        batch: 1, heads: 2, kvHeads: 1, head: AttentionShape(queries: 40, keys: 20, headDim: 4)),
      mask: .causal(.bottomRight), biasBatch: 1, biasHeads: 2),
    // Padding masks: one row per batch shared by every query and head (grouped heads stacked),
    // and one row per head.
    Case(
      shape: MultiHeadShape(batch: 2, heads: 4, kvHeads: 2, head: .square(tokens: 37, headDim: 8)),
      mask: .none, biasBatch: 2, biasHeads: 1, biasQueries: 1),
    Case(
      shape: MultiHeadShape(
        batch: 1, heads: 3, kvHeads: 3, head: AttentionShape(queries: 65, keys: 70, headDim: 8)),
      mask: .causal(.topLeft), biasBatch: 1, biasHeads: 3, biasQueries: 1),
  ]

  /// The oracle, head by head, on the head's slices.
  func oracle(
    _ q: [Float], _ k: [Float], _ v: [Float], _ shape: MultiHeadShape, _ mask: AttentionMask,
    _ bias: AttentionBias?
  ) -> (output: [Double], lse: [Double]) {
    let head = shape.head
    var output: [Double] = []
    var lse: [Double] = []
    for b in 0..<shape.batch {
      for h in 0..<shape.heads {
        let g = h / (shape.heads / shape.kvHeads)  // written out, not shape.kvHead(for:)
        let qi = b * shape.heads + h
        let ki = b * shape.kvHeads + g
        let inputs = AttentionInputs(
          q: Array(q[(qi * head.queryCount)..<((qi + 1) * head.queryCount)]),
          k: Array(k[(ki * head.keyCount)..<((ki + 1) * head.keyCount)]),
          v: Array(v[(ki * head.valueCount)..<((ki + 1) * head.valueCount)]), shape: head)
        let headBias = bias.map { bias -> [Float] in
          let index = (bias.batch == 1 ? 0 : b) * bias.heads + (bias.heads == 1 ? 0 : h)
          let size = (bias.queries ?? head.queries) * head.keys
          let slice = Array(bias.values[(index * size)..<((index + 1) * size)])
          // A shared row, written out for every query.
          return bias.queries == 1 ? (0..<head.queries).flatMap { _ in slice } : slice
        }
        let result = Oracle.attentionAndLogSumExp(
          inputs, scale: Double(head.defaultScale), mask: mask, bias: headBias)
        output += result.output
        lse += result.logSumExp
      }
    }
    return (output, lse)
  }

  static func random(_ count: Int, _ generator: inout SplitMix64) -> [Float] {
    (0..<count).map { _ in generator.nextGaussian() }
  }

  @Test("multi-head and grouped-query attention match the oracle head by head", arguments: cases)
  func agreement(_ testCase: Case) throws {
    let shape = testCase.shape
    var generator = SplitMix64(seed: UInt64(shape.queryCount))
    let q = Self.random(shape.queryCount, &generator)
    let k = Self.random(shape.keyCount, &generator)
    let v = Self.random(shape.valueCount, &generator)
    let bias = testCase.biasBatch.map { batch in
      AttentionBias(
        values: (0..<(batch * testCase.biasHeads * (testCase.biasQueries ?? shape.head.queries)
          * shape.head.keys)).map { _ in
            generator.next() % 5 == 0 ? -.infinity : Float(generator.next() % 9) / 4 - 1
          }, batch: batch, heads: testCase.biasHeads, queries: testCase.biasQueries)
    }
    let want = oracle(q, k, v, shape, testCase.mask, bias)
    let maxV = Double(v.map { abs($0) }.max() ?? 1)
    for kernel: any AttentionKernel in [
      FusedAttention(), try FusedAttention(blockQ: 16, blockK: 32, threads: 2), NaiveAttention(),
    ] {
      let got = try multiHeadAttention(
        q: q, k: k, v: v, shape: shape, kernel: kernel,
        options: AttentionOptions(mask: testCase.mask), bias: bias, logSumExp: true)
      #expect(maxAbsoluteError(got.output, want.output) <= 2e-6 * maxV, "\(kernel.name)")
      let lse = try #require(got.logSumExp)
      for (a, b) in zip(lse, want.lse) {
        #expect(b == -.infinity ? a == -.infinity : abs(Double(a) - b) <= 4e-6 * max(1, abs(b)))
      }
    }
  }

  @Test func halfPrecisionStorageIsAccurateToOneRounding() throws {
    let shape = MultiHeadShape(
      batch: 1, heads: 4, kvHeads: 2, head: AttentionShape(queries: 65, keys: 130, headDim: 32))
    var generator = SplitMix64(seed: 9)
    let q = Self.random(shape.queryCount, &generator).map { Float16($0) }
    let k = Self.random(shape.keyCount, &generator).map { Float16($0) }
    let v = Self.random(shape.valueCount, &generator).map { Float16($0) }
    let want = oracle(
      q.map(Float.init), k.map(Float.init), v.map(Float.init), shape, .causal(.topLeft), nil)
    let got = try multiHeadAttention(
      q: q, k: k, v: v, shape: shape, options: AttentionOptions(mask: .causal(.topLeft)))
    let maxV = Double(v.map { abs(Float($0)) }.max() ?? 1)
    for (a, b) in zip(got.output, want.output) {
      // One Float16 rounding (2⁻¹¹ relative) plus the Float32 kernel's error.
      #expect(abs(Double(Float(a)) - b) <= abs(b) * 0x1p-11 + 2e-6 * maxV)
    }
  }

  /// Each head runs on its own slices; a NaN or infinity must still be named by its place in the
  /// caller's tensor (B=2, H=4, Hkv=2, one kernel thread and heads in parallel).
  @Test("a non-finite input is named by its index in the whole tensor")
  func nonFiniteIndexIsGlobal() throws {
    let head = AttentionShape(queries: 3, keys: 5, headDim: 4, valueDim: 6)
    let shape = MultiHeadShape(batch: 2, heads: 4, kvHeads: 2, head: head)
    var generator = SplitMix64(seed: 4)
    func random(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextGaussian() } }
    let clean = [
      "Q": random(shape.queryCount), "K": random(shape.keyCount), "V": random(shape.valueCount),
      "bias": random(2 * 4 * 3 * 5),
    ]
    for kernel in [try FusedAttention(blockQ: 2, blockK: 3, threads: 1), FusedAttention()] {
      for (name, index, value) in [
        ("Q", shape.queryCount - 2, Float.nan), ("K", shape.keyCount - 7, .infinity),
        ("V", head.valueCount + 3, -.infinity), ("bias", 2 * 4 * 3 * 5 - 1, .nan),
      ] {
        var tensors = clean
        tensors[name]?[index] = value
        #expect(
          throws: AttentionError.nonFiniteInput(tensor: name, index: index, value: "\(value)")
        ) {
          try multiHeadAttention(
            q: tensors["Q"] ?? [], k: tensors["K"] ?? [], v: tensors["V"] ?? [], shape: shape,
            kernel: kernel,
            bias: AttentionBias(values: tensors["bias"] ?? [], batch: 2, heads: 4))
        }
      }
    }
  }

  @Test func badHeadsAndBiasesAreRefused() {
    let head = AttentionShape.square(tokens: 4, headDim: 2)
    #expect(throws: AttentionError.invalidHeads("H = 6 is not a multiple of Hkv = 4")) {
      try multiHeadAttention(
        q: [Float](), k: [], v: [],
        shape: MultiHeadShape(batch: 1, heads: 6, kvHeads: 4, head: head))
    }
    let shape = MultiHeadShape(batch: 2, heads: 2, head: head)
    let q = [Float](repeating: 0, count: shape.queryCount)
    let k = [Float](repeating: 0, count: shape.keyCount)
    #expect(throws: AttentionError.self) {
      try multiHeadAttention(
        q: q, k: k, v: k, shape: shape, bias: AttentionBias(values: [0], batch: 3, heads: 1))
    }
    #expect(throws: AttentionError.shapeMismatch(tensor: "K", expected: 32, actual: 31)) {
      try multiHeadAttention(q: q, k: Array(k.dropLast()), v: k, shape: shape)
    }
  }
}
