import AttuneKernels
import Testing
import _AttuneTestSupport

/// The backward pass against the Float64 oracle's gradients (themselves checked against finite
/// differences), on shapes that hit vector tails and tile edges, every mask, biases, rows that
/// see no key, one key, one feature, dk ≠ dv and large logits.
struct BackwardTests {
  static func kernels() throws -> [any AttentionBackwardKernel] {
    [
      NaiveBackward(), FusedBackward(), try FusedBackward(blockQ: 7, blockK: 5, threads: 2),
      try FusedBackward(blockQ: 64, blockK: 16, threads: 1),
    ]
  }

  /// Each gradient's largest error over its largest magnitude must stay below this. Float32
  /// carries 2⁻²⁴ ≈ 6e-8 per operation; the forward's O and log-sum-exp, the exponentials and
  /// sums over up to 1000 keys add up to a few 1e-6 on these data.
  static let tolerance = 2e-5

  /// The fused forward's output and log-sum-exp, as a training step keeps them.
  func forward(_ inputs: AttentionInputs, options: AttentionOptions, bias: [Float]? = nil) throws
    -> (output: [Float], lse: [Float])
  {
    let shape = inputs.shape
    var output = [Float](repeating: .nan, count: shape.outputCount)
    var lse = [Float](repeating: .nan, count: shape.queries)
    try inputs.q.withUnsafeBufferPointer { q in
      try inputs.k.withUnsafeBufferPointer { k in
        try inputs.v.withUnsafeBufferPointer { v in
          try (bias ?? []).withUnsafeBufferPointer { b in
            try output.withUnsafeMutableBufferPointer { o in
              try lse.withUnsafeMutableBufferPointer { l in
                try attention(
                  q: q, k: k, v: v, shape: shape, into: o, options: options,
                  bias: bias == nil ? nil : b, logSumExp: l)
              }
            }
          }
        }
      }
    }
    return (output, lse)
  }

  /// Forward (fused, Float32: O and the log-sum-exp as a training step would have them), then
  /// every backward kernel, each gradient compared with the oracle's, on every micro-kernel table
  /// this CPU runs (the fused kernel's per-element work is theirs).
  func check(
    _ shape: AttentionShape, mask: AttentionMask = .none, bias: [Float]? = nil,
    logits: Float = 1, seed: UInt64 = 1
  ) throws {
    var inputs = try AttentionInputs.random(shape: shape, seed: seed)
    inputs = AttentionInputs(
      q: inputs.q.map { $0 * logits }, k: inputs.k, v: inputs.v, shape: shape)
    var generator = SplitMix64(seed: seed &+ 99)
    let dO = (0..<shape.outputCount).map { _ in generator.nextGaussian() }
    for instructionSet in InstructionSet.supported {
      try check(
        inputs, gradOutput: dO, mask: mask, bias: bias,
        options: AttentionOptions(mask: mask, instructionSet: instructionSet))
    }
  }

  /// `check` on one table (`options.instructionSet`).
  func check(
    _ inputs: AttentionInputs, gradOutput dO: [Float], mask: AttentionMask, bias: [Float]?,
    options: AttentionOptions
  ) throws {
    let shape = inputs.shape
    let (output, lse) = try forward(inputs, options: options, bias: bias)
    let want = Oracle.attentionBackward(
      inputs, gradOutput: dO, scale: Double(shape.defaultScale), mask: mask, bias: bias)
    // Each gradient's natural magnitude, for gradients that vanish (one key: the softmax is
    // constant, dQ and dK are 0 but for rounding): a term of dS is P · (dP − D) with
    // |dP| ≤ dv · max|dO| · max|V|.
    func largest(_ x: [Float]) -> Double { Double(x.map { abs($0) }.max() ?? 0) }
    let dS = Double(shape.valueDim) * largest(dO) * largest(inputs.v)
    let scale = Double(shape.defaultScale)
    let natural = [dS * scale * largest(inputs.k), dS * scale * largest(inputs.q), largest(dO)]
    for kernel in try Self.kernels() {
      let got = try attentionBackward(
        q: inputs.q, k: inputs.k, v: inputs.v, output: output, logSumExp: lse, gradOutput: dO,
        shape: shape, kernel: kernel, options: options, bias: bias)
      let pairs = [("dQ", got.dq, want.dq), ("dK", got.dk, want.dk), ("dV", got.dv, want.dv)]
      for ((name, g, w), floor) in zip(pairs, natural) {
        #expect(g.allSatisfy { $0.isFinite }, "\(kernel.name) \(name) at \(shape)")
        let biggest = w.map { abs($0) }.max() ?? 0
        let error = maxAbsoluteError(g, w)
        #expect(
          error <= Self.tolerance * max(biggest, 0.01 * floor),
          "\(kernel.name) \(name) at \(shape), \(mask), \(options.instructionSet.map(\.rawValue) ?? "best"): error \(error), largest \(biggest)"
        )
      }
    }
  }

  /// (Nq, Nk, dk, dv): one of everything, dk ≠ dv, 63/64/65, tails of every lane count, more
  /// rows than a tile, one key, one feature.
  static let shapes = [
    (1, 1, 1, 1), (7, 7, 3, 5), (63, 65, 64, 64), (64, 64, 8, 16), (65, 63, 7, 9),
    (130, 70, 16, 16),
    (1000, 300, 8, 8), (5, 1, 4, 4), (20, 33, 1, 1),
  ]

  @Test("gradients match the oracle on tails and tile edges", arguments: shapes)
  func plain(_ sizes: (Int, Int, Int, Int)) throws {
    let (nq, nk, dk, dv) = sizes
    try check(AttentionShape(queries: nq, keys: nk, headDim: dk, valueDim: dv))
  }

  @Test("masks: causal in both alignments with Nq ≠ Nk, windows; rows that see no key get zeros")
  func masks() throws {
    for (nq, nk) in [(65, 63), (7, 20), (20, 7), (64, 64)] {
      let shape = AttentionShape(queries: nq, keys: nk, headDim: 16, valueDim: 8)
      for alignment in CausalAlignment.allCases {
        try check(shape, mask: .causal(alignment))
        try check(shape, mask: .slidingWindow(size: 5, alignment: alignment))
      }
    }
  }

  @Test("a bias, −∞ hiding keys and whole rows; large logits")
  func biasAndLogits() throws {
    let shape = AttentionShape(queries: 33, keys: 65, headDim: 16, valueDim: 16)
    var generator = SplitMix64(seed: 5)
    var bias = (0..<(33 * 65)).map { _ in generator.nextGaussian() }
    for j in stride(from: 0, to: 65, by: 3) { bias[4 * 65 + j] = -.infinity }
    for j in 0..<65 { bias[9 * 65 + j] = -.infinity }  // row 9 sees nothing
    try check(shape, bias: bias)
    try check(shape, mask: .causal(.bottomRight), bias: bias)
    // Scores of ±60 and more: P is one-hot in most rows.
    try check(shape, logits: 40)
  }

  @Test("rows that see no key: zero gradient rows, never NaN")
  func emptyRows() throws {
    // Bottom-right causal with Nq > Nk: the first Nq − Nk rows see no key.
    let shape = AttentionShape(queries: 12, keys: 5, headDim: 4, valueDim: 3)
    let inputs = try AttentionInputs.random(shape: shape, seed: 3)
    let options = AttentionOptions(mask: .causal(.bottomRight))
    let (o, lse) = try forward(inputs, options: options)
    #expect(lse[0..<7].allSatisfy { $0 == -.infinity } && lse[7...].allSatisfy { $0.isFinite })
    for kernel in try Self.kernels() {
      let got = try attentionBackward(
        q: inputs.q, k: inputs.k, v: inputs.v, output: o, logSumExp: lse,
        gradOutput: [Float](repeating: 1, count: 36), shape: shape, kernel: kernel,
        options: options)
      #expect(got.dq[0..<(7 * 4)].allSatisfy { $0 == 0 }, "\(kernel.name)")
      #expect(got.dq.allSatisfy { $0.isFinite } && got.dk.allSatisfy { $0.isFinite })
    }
  }

  @Test("the oracle's gradients agree with central finite differences of Σ dO ∘ O")
  func oracleAgainstFiniteDifferences() throws {
    let shape = AttentionShape(queries: 3, keys: 4, headDim: 2, valueDim: 3)
    let inputs = try AttentionInputs.random(shape: shape, seed: 11)
    var generator = SplitMix64(seed: 12)
    let dO = (0..<shape.outputCount).map { _ in Double(generator.nextGaussian()) }
    let bias = (0..<12).map { _ in Double(generator.nextGaussian()) }
    let scale = 0.7
    for mask in [AttentionMask.none, .causal(.bottomRight)] {
      let q = inputs.q.map(Double.init)
      let k = inputs.k.map(Double.init)
      let v = inputs.v.map(Double.init)
      func loss(_ q: [Double], _ k: [Double], _ v: [Double]) -> Double {
        let p = Oracle.probabilities(
          q: q, k: k, shape: shape, scale: scale, mask: mask, bias: bias)
        var sum = 0.0
        for i in 0..<3 {
          for c in 0..<3 {
            var o = 0.0
            for j in 0..<4 { o += p[i * 4 + j] * v[j * 3 + c] }
            sum += dO[i * 3 + c] * o
          }
        }
        return sum
      }
      let analytic = Oracle.attentionBackward(
        q: q, k: k, v: v, shape: shape, gradOutput: dO, scale: scale, mask: mask, bias: bias)
      let h = 1e-6
      /// ∂loss/∂(tensor `which`'s element `index`) by central differences.
      func numeric(_ which: Int, _ index: Int) -> Double {
        var tensors = [q, k, v]
        tensors[which][index] += h
        let up = loss(tensors[0], tensors[1], tensors[2])
        tensors[which][index] -= 2 * h
        let down = loss(tensors[0], tensors[1], tensors[2])
        return (up - down) / (2 * h)
      }
      for (which, gradient) in [analytic.dq, analytic.dk, analytic.dv].enumerated() {
        for index in gradient.indices {
          let estimate = numeric(which, index)
          #expect(abs(estimate - gradient[index]) < 1e-7, "tensor \(which) [\(index)], \(mask)")
        }
      }
    }
  }

  /// The public calls hand kernels gradients they have not zeroed, so each kernel must write
  /// every element: here into buffers full of NaN, with key tiles no row sees (causal top-left
  /// with Nk > Nq), rows that see no key (bottom-right with Nq > Nk, a bias row of −∞), windows.
  @Test("every kernel overwrites dQ, dK and dV entirely")
  func overwritesEverything() throws {
    let cases: [(AttentionShape, AttentionMask, Bool)] = [
      (AttentionShape(queries: 20, keys: 130, headDim: 16, valueDim: 8), .causal(.topLeft), false),
      (AttentionShape(queries: 70, keys: 9, headDim: 7, valueDim: 5), .causal(.bottomRight), false),
      (
        AttentionShape(queries: 33, keys: 65, headDim: 8, valueDim: 8),
        .slidingWindow(size: 3, alignment: .topLeft), false
      ),
      (AttentionShape(queries: 13, keys: 40, headDim: 4, valueDim: 4), .none, true),
    ]
    for (shape, mask, withBias) in cases {
      let inputs = try AttentionInputs.random(shape: shape, seed: 5)
      var bias: [Float]?
      if withBias {
        var rows = [Float](repeating: 0, count: shape.queries * shape.keys)
        for j in 0..<shape.keys { rows[2 * shape.keys + j] = -.infinity }  // row 2 sees nothing
        bias = rows
      }
      let options = AttentionOptions(mask: mask)
      let (output, lse) = try forward(inputs, options: options, bias: bias)
      var generator = SplitMix64(seed: 8)
      let dO = (0..<shape.outputCount).map { _ in generator.nextGaussian() }
      for kernel in try Self.kernels() {
        var dq = [Float](repeating: .nan, count: shape.queryCount)
        var dk = [Float](repeating: .nan, count: shape.keyCount)
        var dv = [Float](repeating: .nan, count: shape.valueCount)
        let all = [inputs.q, inputs.k, inputs.v, bias ?? [], output, lse, dO]
        try withBuffers(all[...]) { b in
          let forward = try AttentionProblem.configured(
            q: b[0], k: b[1], v: b[2], shape: shape, options: options,
            bias: bias == nil ? nil : b[3], queryPositions: shape.queries)
          let problem = BackwardProblem(
            forward: forward, output: try #require(b[4].baseAddress),
            logSumExp: try #require(b[5].baseAddress), gradOutput: try #require(b[6].baseAddress))
          try kernel.computeGradients(problem, dq: &dq, dk: &dk, dv: &dv)
        }
        for (name, gradient) in [("dQ", dq), ("dK", dk), ("dV", dv)] {
          #expect(
            gradient.allSatisfy { $0.isFinite }, "\(kernel.name) \(name) at \(shape), \(mask)")
        }
      }
    }
  }

  @Test("bad inputs are one clear error")
  func badInputs() throws {
    let shape = AttentionShape(queries: 4, keys: 3, headDim: 2, valueDim: 2)
    let inputs = try AttentionInputs.random(shape: shape, seed: 1)
    let o = [Float](repeating: 0, count: 8)
    let lse = [Float](repeating: 0, count: 4)
    #expect(throws: AttentionError.shapeMismatch(tensor: "dO", expected: 8, actual: 7)) {
      try attentionBackward(
        q: inputs.q, k: inputs.k, v: inputs.v, output: o, logSumExp: lse,
        gradOutput: [Float](repeating: 0, count: 7), shape: shape)
    }
    #expect(throws: AttentionError.self) {
      try attentionBackward(
        q: inputs.q, k: inputs.k, v: inputs.v, output: o, logSumExp: [0, .nan, 0, 0],
        gradOutput: o, shape: shape)
    }
    #expect(throws: AttentionError.self) {
      var dO = o
      dO[3] = .infinity
      return try attentionBackward(
        q: inputs.q, k: inputs.k, v: inputs.v, output: o, logSumExp: lse, gradOutput: dO,
        shape: shape)
    }
    #expect(throws: AttentionError.self) { try FusedBackward(blockQ: 0, blockK: 4) }
    let none = try attentionBackward(
      q: [], k: inputs.k, v: inputs.v, output: [], logSumExp: [], gradOutput: [],
      shape: AttentionShape(queries: 0, keys: 3, headDim: 2, valueDim: 2))
    #expect(none.dq.isEmpty && none.dk == [Float](repeating: 0, count: 6))
  }
}

/// `body` with every array's buffer, in order (each valid only during the call).
private func withBuffers(
  _ arrays: ArraySlice<[Float]>, _ taken: [UnsafeBufferPointer<Float>] = [],
  _ body: ([UnsafeBufferPointer<Float>]) throws -> Void
) throws {
  guard let first = arrays.first else { return try body(taken) }
  try first.withUnsafeBufferPointer { try withBuffers(arrays.dropFirst(), taken + [$0], body) }
}

/// Multi-head and grouped-query gradients: each head's against the oracle's, dK and dV summed
/// over the query heads that share them.
struct MultiHeadBackwardTests {
  /// As the forward's test: an error from one head's slice names the whole tensor's index.
  @Test("a non-finite input is named by its index in the whole tensor")
  func nonFiniteIndexIsGlobal() throws {
    let head = AttentionShape(queries: 3, keys: 5, headDim: 4, valueDim: 6)
    let shape = MultiHeadShape(batch: 2, heads: 4, kvHeads: 2, head: head)
    var generator = SplitMix64(seed: 6)
    func random(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextGaussian() } }
    let clean = [
      "Q": random(shape.queryCount), "K": random(shape.keyCount), "V": random(shape.valueCount),
      "O": random(shape.outputCount), "dO": random(shape.outputCount),
      "log-sum-exp": random(shape.logSumExpCount), "bias": random(2 * 4 * 3 * 5),
    ]
    for kernel in [try FusedBackward(blockQ: 2, blockK: 3, threads: 1), FusedBackward()] {
      for (name, index, value) in [
        ("Q", shape.queryCount - 2, Float.nan), ("K", shape.keyCount - 7, .infinity),
        ("V", head.valueCount + 3, -.infinity), ("O", shape.outputCount - 1, .nan),
        ("dO", head.outputCount * 5 + 2, .infinity), ("log-sum-exp", 17, .nan),
        ("bias", 2 * 4 * 3 * 5 - 1, .nan),
      ] {
        var tensors = clean
        tensors[name]?[index] = value
        #expect(
          throws: AttentionError.nonFiniteInput(tensor: name, index: index, value: "\(value)")
        ) {
          try multiHeadAttentionBackward(
            q: tensors["Q"] ?? [], k: tensors["K"] ?? [], v: tensors["V"] ?? [],
            output: tensors["O"] ?? [], logSumExp: tensors["log-sum-exp"] ?? [],
            gradOutput: tensors["dO"] ?? [], shape: shape, kernel: kernel,
            bias: AttentionBias(values: tensors["bias"] ?? [], batch: 2, heads: 4))
        }
      }
    }
  }

  @Test(
    "B=2, H=4, Hkv=2: per head against the oracle, dK and dV summed over each group",
    arguments: [0, 1, 2])
  func groupedQueryHeads(biasKind: Int) throws {
    let head = AttentionShape(queries: 9, keys: 13, headDim: 8, valueDim: 5)
    let shape = MultiHeadShape(batch: 2, heads: 4, kvHeads: 2, head: head)
    var generator = SplitMix64(seed: 21)
    func random(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextGaussian() } }
    let (q, k, v) = (random(shape.queryCount), random(shape.keyCount), random(shape.valueCount))
    let dO = random(shape.outputCount)
    // None; one row per batch shared by heads and queries; a bias per head and query.
    let bias: AttentionBias? =
      switch biasKind {
      case 1: AttentionBias(values: random(2 * 13), batch: 2, heads: 1, queries: 1)
      case 2: AttentionBias(values: random(2 * 4 * 9 * 13), batch: 2, heads: 4)
      default: nil
      }
    let options = AttentionOptions(mask: .causal(.bottomRight))
    let forward = try multiHeadAttention(
      q: q, k: k, v: v, shape: shape, options: options, bias: bias, logSumExp: true)
    let lse = try #require(forward.logSumExp)
    for kernel: any AttentionBackwardKernel in [FusedBackward(), NaiveBackward()] {
      let got = try multiHeadAttentionBackward(
        q: q, k: k, v: v, output: forward.output, logSumExp: lse, gradOutput: dO, shape: shape,
        kernel: kernel, options: options, bias: bias)
      var wantK = [Double](repeating: 0, count: shape.keyCount)
      var wantV = [Double](repeating: 0, count: shape.valueCount)
      for b in 0..<2 {
        for h in 0..<4 {
          let kh = b * 2 + shape.kvHead(for: h)
          let qh = b * 4 + h
          func slice(_ x: [Float], _ n: Int, _ i: Int) -> [Float] {
            Array(x[(i * n)..<((i + 1) * n)])
          }
          var headBias: [Float]?
          if let bias {
            let rows = bias.queries == 1 ? 1 : 9
            let index = (bias.batch == 1 ? 0 : b) * bias.heads + (bias.heads == 1 ? 0 : h)
            let values = slice(bias.values, rows * 13, index)
            headBias = rows == 1 ? (0..<9).flatMap { _ in values } : values
          }
          let inputs = AttentionInputs(
            q: slice(q, head.queryCount, qh), k: slice(k, head.keyCount, kh),
            v: slice(v, head.valueCount, kh), shape: head)
          let want = Oracle.attentionBackward(
            inputs, gradOutput: slice(dO, head.outputCount, qh),
            scale: Double(head.defaultScale), mask: options.mask, bias: headBias)
          let dq = slice(got.dq, head.queryCount, qh)
          #expect(maxAbsoluteError(dq, want.dq) <= 1e-5, "\(kernel.name) dQ head \(qh)")
          for i in 0..<head.keyCount { wantK[kh * head.keyCount + i] += want.dk[i] }
          for i in 0..<head.valueCount { wantV[kh * head.valueCount + i] += want.dv[i] }
        }
      }
      #expect(maxAbsoluteError(got.dk, wantK) <= 1e-5, "\(kernel.name) dK")
      #expect(maxAbsoluteError(got.dv, wantV) <= 1e-5, "\(kernel.name) dV")
    }
  }

  /// Float16 storage: every gradient is the Float32 computation on the widened tensors, rounded
  /// once, and so within one Float16 rounding of the oracle's (plus the Float32 kernel's error).
  @Test func halfPrecisionStorage() throws {
    let head = AttentionShape(queries: 65, keys: 130, headDim: 16, valueDim: 9)
    let shape = MultiHeadShape(batch: 1, heads: 4, kvHeads: 2, head: head)
    var generator = SplitMix64(seed: 33)
    func random(_ count: Int) -> [Float16] {
      (0..<count).map { _ in Float16(generator.nextGaussian()) }
    }
    let (q, k, v) = (random(shape.queryCount), random(shape.keyCount), random(shape.valueCount))
    let dO = random(shape.outputCount)
    let options = AttentionOptions(mask: .causal(.topLeft))
    let forward = try multiHeadAttention(
      q: q, k: k, v: v, shape: shape, options: options, logSumExp: true)
    let lse = try #require(forward.logSumExp)
    let got = try multiHeadAttentionBackward(
      q: q, k: k, v: v, output: forward.output, logSumExp: lse, gradOutput: dO, shape: shape,
      options: options)
    let wide = try multiHeadAttentionBackward(
      q: q.map(Float.init), k: k.map(Float.init), v: v.map(Float.init),
      output: forward.output.map(Float.init), logSumExp: lse, gradOutput: dO.map(Float.init),
      shape: shape, options: options)
    #expect(got.dq == wide.dq.map { Float16($0) })
    #expect(got.dk == wide.dk.map { Float16($0) })
    #expect(got.dv == wide.dv.map { Float16($0) })
    // Head 0 against the oracle on the Float16 values.
    func slice(_ x: [Float16], _ n: Int) -> [Float] { x[0..<n].map(Float.init) }
    let inputs = AttentionInputs(
      q: slice(q, head.queryCount), k: slice(k, head.keyCount), v: slice(v, head.valueCount),
      shape: head)
    let want = Oracle.attentionBackward(
      inputs, gradOutput: slice(dO, head.outputCount), scale: Double(head.defaultScale),
      mask: options.mask, bias: nil)
    // Beyond the rounding of dQ itself, O rounded to Float16 moves D_i = Σ_c dO_ic · O_ic by at
    // most δ_i = 2⁻¹¹ · Σ_c |dO_ic · O_ic|, so dS_ij = P_ij · (dP_ij − D_i) by P_ij · δ_i, and dQ_i
    // = scale · Σ_j dS_ij · K_j by at most scale · δ_i · max|K| (the P_ij sum to 1).
    let maxK = Double(k[0..<head.keyCount].map { abs(Float($0)) }.max() ?? 0)
    for i in 0..<head.queries {
      var delta = 0.0
      for c in 0..<head.valueDim {
        let index = i * head.valueDim + c
        delta += abs(Double(Float(dO[index])) * Double(Float(forward.output[index])))
      }
      delta *= 0x1p-11
      let bound = Double(head.defaultScale) * delta * maxK + 1e-5
      for c in 0..<head.headDim {
        let (a, b) = (Double(Float(got.dq[i * head.headDim + c])), want.dq[i * head.headDim + c])
        #expect(abs(a - b) <= abs(b) * 0x1p-11 + bound, "dQ[\(i)][\(c)]")
      }
    }
  }
}
