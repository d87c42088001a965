import AttuneKernels
import Testing
import _AttuneTestSupport

/// What the public entry points refuse, and how they say it.
struct ValidationTests {
  let shape = AttentionShape(queries: 2, keys: 3, headDim: 4, valueDim: 5)

  func zeros(_ count: Int) -> [Float] { [Float](repeating: 0, count: count) }

  @Test("a buffer of the wrong length is named with both lengths")
  func shapeMismatch() {
    #expect(throws: AttentionError.shapeMismatch(tensor: "K", expected: 12, actual: 11)) {
      try attention(q: zeros(8), k: zeros(11), v: zeros(15), shape: shape)
    }
    #expect(throws: AttentionError.shapeMismatch(tensor: "V", expected: 15, actual: 16)) {
      try attention(q: zeros(8), k: zeros(12), v: zeros(16), shape: shape)
    }
  }

  @Test("an output buffer of the wrong length is refused and left untouched")
  func outputMismatch() throws {
    var out = [Float](repeating: 7, count: 9)
    let q = zeros(8)
    let k = zeros(12)
    let v = zeros(15)
    let result = q.withUnsafeBufferPointer { q in
      k.withUnsafeBufferPointer { k in
        v.withUnsafeBufferPointer { v in
          out.withUnsafeMutableBufferPointer { o in
            Result { () throws(AttentionError) in
              try attention(q: q, k: k, v: v, shape: shape, into: o)
            }
          }
        }
      }
    }
    #expect(throws: AttentionError.shapeMismatch(tensor: "O", expected: 10, actual: 9)) {
      try result.get()
    }
    #expect(out.allSatisfy { $0 == 7 })
  }

  @Test("empty head dimensions are refused", arguments: ["dk", "dv"])
  func emptyDimension(name: String) {
    var s = shape
    if name == "dk" { s.headDim = 0 } else { s.valueDim = 0 }
    #expect(throws: AttentionError.emptyDimension(name: name, value: 0)) {
      try attention(q: [], k: [], v: [], shape: s)
    }
    #expect(throws: AttentionError.emptyDimension(name: name, value: 0)) { try s.validate() }
  }

  @Test("no query gives an empty output; no key gives zeros and a log-sum-exp of −∞, as PyTorch")
  func emptySequences() throws {
    for kernel in KernelCatalog.builtIn.compactMap({ try? $0.make() }) {
      let noQuery = AttentionShape(queries: 0, keys: 5, headDim: 3, valueDim: 2)
      let empty = try attention(
        q: [], k: [Float](repeating: 1, count: 15), v: [Float](repeating: 1, count: 10),
        shape: noQuery, kernel: kernel)
      #expect(empty.isEmpty, "\(kernel.name)")
      let noKey = AttentionShape(queries: 4, keys: 0, headDim: 3, valueDim: 2)
      let zeros = try attention(
        q: [Float](repeating: 1, count: 12), k: [], v: [], shape: noKey, kernel: kernel)
      #expect(zeros == [Float](repeating: 0, count: 8), "\(kernel.name)")
    }
    let heads = MultiHeadShape(
      batch: 2, heads: 4, kvHeads: 2, head: AttentionShape(queries: 3, keys: 0, headDim: 8))
    let result = try multiHeadAttention(
      q: [Float](repeating: 1, count: heads.queryCount), k: [], v: [], shape: heads,
      logSumExp: true)
    #expect(result.output == [Float](repeating: 0, count: heads.outputCount))
    #expect(result.logSumExp == [Float](repeating: -.infinity, count: heads.logSumExpCount))
    // A wrong buffer length is still one clear error.
    #expect(throws: AttentionError.self) {
      try attention(q: [1], k: [], v: [], shape: AttentionShape(queries: 4, keys: 0, headDim: 3))
    }
  }

  @Test("negative and overflowing sizes are refused")
  func badSizes() {
    #expect(throws: AttentionError.emptyDimension(name: "Nk", value: -3)) {
      try AttentionShape(queries: 1, keys: -3, headDim: 1).validate()
    }
    #expect(throws: AttentionError.self) {
      try AttentionShape(queries: Int.max / 2, keys: 1, headDim: 4).validate()
    }
  }

  @Test(
    "non-finite inputs are rejected with the tensor and the index",
    arguments: [
      Float.nan, .infinity, -.infinity,
    ])
  func nonFinite(value: Float) {
    var v = zeros(15)
    v[13] = value
    #expect(throws: AttentionError.nonFiniteInput(tensor: "V", index: 13, value: "\(value)")) {
      try attention(q: zeros(8), k: zeros(12), v: v, shape: shape)
    }
  }

  @Test("non-finite inputs under .propagate reach only their own rows, for every kernel")
  func propagate() throws {
    let shape = AttentionShape(queries: 40, keys: 33, headDim: 20, valueDim: 17)
    let inputs = try AttentionInputs.random(shape: shape, seed: 3)
    var q = inputs.q
    q[5 * 20 + 3] = .nan  // row 5 of Q
    let options = AttentionOptions(nonFiniteInputs: .propagate)
    for descriptor in KernelCatalog.builtIn {
      let out = try attention(
        q: q, k: inputs.k, v: inputs.v, shape: shape, kernel: descriptor.make(), options: options)
      for row in 0..<40 {
        let values = out[(row * 17)..<(row * 17 + 17)]
        if row == 5 {
          #expect(values.allSatisfy { $0.isNaN }, "\(descriptor.name) row 5")
        } else {
          #expect(values.allSatisfy { $0.isFinite }, "\(descriptor.name) row \(row)")
        }
      }
    }
  }

  @Test(
    "scales that are not finite are refused",
    arguments: [
      Float.nan, .infinity, -.infinity,
    ])
  func badScale(scale: Float) {
    #expect(throws: AttentionError.invalidScale("\(scale)")) {
      try attention(
        q: zeros(8), k: zeros(12), v: zeros(15), shape: shape,
        options: AttentionOptions(scale: scale))
    }
  }

  @Test("a zero or negative scale is PyTorch's: the oracle's answer on every kernel")
  func zeroAndNegativeScales() throws {
    let shape = AttentionShape(queries: 9, keys: 17, headDim: 5, valueDim: 3)
    let inputs = try AttentionInputs.random(shape: shape, seed: 12)
    for scale: Float in [0, -0.5, -3] {
      let want = Oracle.attention(inputs, scale: Double(scale))
      for kernel in KernelCatalog.builtIn.compactMap({ try? $0.make() }) {
        let got = try inputs.run(kernel, options: AttentionOptions(scale: scale))
        #expect(maxAbsoluteError(got, want) <= 1e-5, "\(kernel.name) at scale \(scale)")
      }
    }
  }

  @Test("kernel parameters out of range are refused with the range")
  func badParameters() {
    #expect(
      throws: AttentionError.invalidParameter(
        kernel: "blocked", parameter: "blockSize", value: 0, reason: "must lie in 1...1048576")
    ) { try BlockedAttention(blockSize: 0) }
    #expect(throws: AttentionError.self) { try ParallelAttention(blockSize: 4, threads: 0) }
    #expect(throws: AttentionError.self) { try SIMDAttention(blockSize: -1) }
    #expect(throws: AttentionError.self) { try FusedAttention(blockQ: 64, blockK: 0) }
    #expect(throws: AttentionError.self) {
      try FusedAttention(blockQ: 64, blockK: 64, threads: 257)
    }
  }

  @Test("a kernel whose scratch exceeds physical memory is refused before allocating")
  func insufficientMemory() throws {
    // The naive kernel's scores need Nq · Nk floats: 4 TB here.
    let shape = AttentionShape(queries: 1_000_000, keys: 1_000_000, headDim: 1)
    let ones = [Float](repeating: 1, count: 1_000_000)
    #expect {
      try attention(q: ones, k: ones, v: ones, shape: shape, kernel: NaiveAttention())
    } throws: { error in
      guard
        case AttentionError.insufficientMemory(let what, let required, _)? = error
          as? AttentionError
      else { return false }
      return what.contains("naive") && required >= 4_000_000_000_000
    }
  }
}

extension ValidationTests {
  @Test("random inputs larger than memory are refused before allocating")
  func hugeRandomInputs() {
    #expect {
      try AttentionInputs.random(shape: .square(tokens: 1 << 31, headDim: 64), seed: 1)
    } throws: { error in
      guard case AttentionError.insufficientMemory? = error as? AttentionError else { return false }
      return true
    }
  }
}
