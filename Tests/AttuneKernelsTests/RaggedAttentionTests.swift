import AttuneKernels
import Testing
import _AttuneTestSupport

/// Ragged batches: every sequence's rows against the Float64 oracle on that sequence alone, with
/// the masks applied per sequence, on several kernels and thread counts; bad offsets refused.
struct RaggedAttentionTests {
  /// Query and key lengths per sequence: tails of the micro-kernels' tiles, a sequence without
  /// queries, one query against many keys, more queries than keys.
  static let lengths: [(queries: Int, keys: Int)] = [
    (1, 3), (7, 7), (65, 64), (0, 5), (130, 200), (1, 300), (20, 8),
  ]

  static let kernels: [@Sendable () throws -> any AttentionKernel] = [
    { try FusedAttention(blockQ: 24, blockK: 40, threads: 1) },
    { try FusedAttention(blockQ: 24, blockK: 40, threads: 2) },
    { FusedAttention() },
    { NaiveAttention() },
  ]

  @Test(
    "each sequence matches the oracle on that sequence alone",
    arguments: [AttentionMask.none, .causal(.bottomRight), .causal(.topLeft)], 0..<4)
  func agreement(mask: AttentionMask, kernelIndex: Int) throws {
    let kernel = try Self.kernels[kernelIndex]()
    let (heads, kvHeads, dk, dv) = (4, 2, 16, 8)
    var queryOffsets = [0]
    var keyOffsets = [0]
    for (nq, nk) in Self.lengths {
      queryOffsets.append(queryOffsets.last! + nq)
      keyOffsets.append(keyOffsets.last! + nk)
    }
    let shape = RaggedShape(
      heads: heads, kvHeads: kvHeads, headDim: dk, valueDim: dv, queryOffsets: queryOffsets,
      keyOffsets: keyOffsets)
    var generator = SplitMix64(seed: 21)
    let q = (0..<shape.queryCount).map { _ in generator.nextGaussian() }
    let k = (0..<shape.keyCount).map { _ in generator.nextGaussian() }
    let v = (0..<shape.valueCount).map { _ in generator.nextGaussian() }
    let options = AttentionOptions(mask: mask)
    let got = try raggedAttention(q: q, k: k, v: v, shape: shape, kernel: kernel, options: options)
    let maxV = Double(v.map(abs).max() ?? 1)
    let (tq, tk) = (shape.totalQueries, shape.totalKeys)
    for s in 0..<shape.sequences {
      let sizes = shape.sequence(s)
      guard sizes.queries > 0 else { continue }
      let (q0, k0) = (queryOffsets[s], keyOffsets[s])
      for h in 0..<heads {
        let g = h / (heads / kvHeads)
        let rows = { (t: [Float], head: Int, total: Int, first: Int, count: Int, d: Int) in
          Array(t[((head * total + first) * d)..<((head * total + first + count) * d)])
        }
        let inputs = AttentionInputs(
          q: rows(q, h, tq, q0, sizes.queries, dk), k: rows(k, g, tk, k0, sizes.keys, dk),
          v: rows(v, g, tk, k0, sizes.keys, dv), shape: sizes)
        let want = Oracle.attention(inputs, scale: Double(sizes.defaultScale), mask: mask)
        let mine = rows(got, h, tq, q0, sizes.queries, dv)
        #expect(
          maxAbsoluteError(mine, want) <= 2e-6 * maxV,
          "sequence \(s), head \(h), \(kernel.configurationDescription), \(mask)")
      }
    }
  }

  @Test("work is shared by cost: a sequence larger than its share runs alone, on every thread")
  func scheduling() {
    // One sequence of 1000 × 1000 and eight of 10 × 10, one head, two threads: the large
    // problem exceeds the rest divided between the threads, so it runs alone.
    let lengths = [1000] + [Int](repeating: 10, count: 8)
    let offsets = lengths.reduce(into: [0]) { $0.append($0.last! + $1) }
    let shape = RaggedShape(heads: 1, headDim: 8, queryOffsets: offsets, keyOffsets: offsets)
    let problems = RaggedProblems(shape: shape, threads: 2)
    #expect(problems.alone.map(\.sequence) == [0])
    #expect(problems.shared.count == 8)
    #expect(problems.shared.allSatisfy { $0.cost == 100 })
    #expect(problems.largestSequence == shape.sequence(0))
    // With two heads, its two problems keep the two threads equally busy: none runs alone.
    let twoHeads = RaggedShape(heads: 2, headDim: 8, queryOffsets: offsets, keyOffsets: offsets)
    let both = RaggedProblems(shape: twoHeads, threads: 2)
    #expect(both.alone.isEmpty)
    #expect(both.shared.prefix(2).map(\.sequence) == [0, 0])
    // Even sequences share every thread; one thread runs everything in one queue, largest first.
    let even = RaggedShape(
      heads: 2, headDim: 8, queryOffsets: [0, 30, 50, 100], keyOffsets: [0, 30, 50, 100])
    #expect(RaggedProblems(shape: even, threads: 2).alone.isEmpty)
    let one = RaggedProblems(shape: shape, threads: 1)
    #expect(one.alone.isEmpty)
    #expect(one.shared.map(\.cost) == one.shared.map(\.cost).sorted(by: >))
  }

  @Test("offsets that describe no batch are one clear error")
  func badOffsets() {
    let cases: [([Int], [Int], String)] = [
      ([0, 4, 2], [0, 4, 8], "query offsets decrease at sequence 1: 4 then 2"),
      ([1, 4], [0, 4], "the first query offset is 1, not 0"),
      ([0, 4, 8], [0, 4], "3 query and 2 key offsets; give B + 1 of each, B ≥ 1"),
      ([0, 4, 8], [0, 4, 4], "sequence 1 has 4 queries and no keys"),
      ([0], [0], "1 query and 1 key offsets; give B + 1 of each, B ≥ 1"),
    ]
    for (queryOffsets, keyOffsets, reason) in cases {
      let shape = RaggedShape(
        heads: 2, headDim: 4, queryOffsets: queryOffsets, keyOffsets: keyOffsets)
      #expect(throws: AttentionError.invalidOffsets(reason)) {
        _ = try raggedAttention(
          q: [Float](repeating: 0, count: max(0, shape.queryCount)),
          k: [Float](repeating: 0, count: max(0, shape.keyCount)),
          v: [Float](repeating: 0, count: max(0, shape.valueCount)), shape: shape)
      }
    }
    // Offsets past the end of the tensors: the sizes disagree.
    let shape = RaggedShape(heads: 1, headDim: 2, queryOffsets: [0, 3], keyOffsets: [0, 5])
    #expect(throws: AttentionError.shapeMismatch(tensor: "K", expected: 10, actual: 8)) {
      _ = try raggedAttention(
        q: [Float](repeating: 0, count: 6), k: [Float](repeating: 0, count: 8),
        v: [Float](repeating: 0, count: 10), shape: shape)
    }
  }

  @Test("a NaN is named by its index in the caller's tensor, or propagates when allowed")
  func nonFinite() throws {
    let shape = RaggedShape(heads: 2, headDim: 2, queryOffsets: [0, 2, 5], keyOffsets: [0, 3, 7])
    let q = [Float](repeating: 0.5, count: shape.queryCount)
    var k = [Float](repeating: 0.5, count: shape.keyCount)
    let v = [Float](repeating: 1, count: shape.valueCount)
    k[21] = .nan  // head 1, sequence 1's third key row (row 7 + 3 of [Hkv, Tk, dk])
    #expect(throws: AttentionError.nonFiniteInput(tensor: "K", index: 21, value: "nan")) {
      _ = try raggedAttention(q: q, k: k, v: v, shape: shape)
    }
    let o = try raggedAttention(
      q: q, k: k, v: v, shape: shape, options: AttentionOptions(nonFiniteInputs: .propagate))
    // Head 1's rows of sequence 1 see the NaN; every other row is finite.
    let dv = shape.valueDim
    let poisoned = Set((shape.totalQueries + 2)..<(shape.totalQueries + 5))
    for row in 0..<(shape.heads * shape.totalQueries) {
      let values = o[(row * dv)..<((row + 1) * dv)]
      #expect(values.allSatisfy(\.isNaN) == poisoned.contains(row), "row \(row)")
    }
  }
}
