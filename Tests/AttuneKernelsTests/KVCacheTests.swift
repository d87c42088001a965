import AttuneKernels
import Testing
import _AttuneTestSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The KV cache: attention from it against the Float64 oracle per sequence (Float32 storage
/// exactly, Float16 and 8 bits on the values they store and, with their stated error, on the
/// originals), appends that write only their own tokens, pages reused, bad input refused.
struct KVCacheTests {
  /// Cached tokens per sequence (pages of 16 tokens: one token, a partial page, page edges, many
  /// pages) and queries per sequence for chunked prefill.
  static let lengths = [1, 7, 16, 17, 63, 64, 65, 300]
  static let queries = [1, 3, 1, 16, 5, 1, 65, 2]

  /// A cache of `lengths` tokens per sequence, appended in chunks of `chunk` (so appends cross
  /// page edges), with the original rows of each sequence's heads.
  static func filled(
    _ layout: KVCacheLayout, lengths: [Int] = lengths, chunk: Int = 13, seed: UInt64 = 5
  ) throws -> (cache: KVCache, ids: [KVSequence], k: [[Float]], v: [[Float]]) {
    let cache = try KVCache(layout: layout)
    var generator = SplitMix64(seed: seed)
    var ids = [KVSequence]()
    var keys = [[Float]]()
    var values = [[Float]]()
    let (heads, dk, dv) = (layout.kvHeads, layout.headDim, layout.valueDim)
    for length in lengths {
      let id = cache.addSequence()
      // [Hkv, length, d], appended `chunk` tokens at a time.
      let k = (0..<heads * length * dk).map { _ in generator.nextGaussian() }
      let v = (0..<heads * length * dv).map { _ in generator.nextGaussian() }
      for start in stride(from: 0, to: length, by: chunk) {
        let n = min(chunk, length - start)
        var kc = [Float]()
        var vc = [Float]()
        for h in 0..<heads {
          kc += k[((h * length + start) * dk)..<((h * length + start + n) * dk)]
          vc += v[((h * length + start) * dv)..<((h * length + start + n) * dv)]
        }
        try cache.append(keys: kc, values: vc, to: id)
      }
      ids.append(id)
      keys.append(k)
      values.append(v)
    }
    return (cache, ids, keys, values)
  }

  /// The oracle's `O [H, Tq, dv]` for queries `q [H, Tq, dk]` over `keys` and `values` per
  /// sequence (`[Hkv, N, d]` each).
  static func oracle(
    q: [Float], heads: Int, layout: KVCacheLayout, offsets: [Int], keys: [[Float]],
    values: [[Float]], mask: AttentionMask
  ) -> [Double] {
    let (kvHeads, dk, dv) = (layout.kvHeads, layout.headDim, layout.valueDim)
    let total = offsets.last ?? 0
    var out = [Double](repeating: .nan, count: heads * total * dv)
    for s in 0..<keys.count {
      let (nq, nk) = (offsets[s + 1] - offsets[s], keys[s].count / (kvHeads * dk))
      guard nq > 0 else { continue }
      let shape = AttentionShape(queries: nq, keys: nk, headDim: dk, valueDim: dv)
      for h in 0..<heads {
        let g = h / (heads / kvHeads)
        let inputs = AttentionInputs(
          q: Array(q[((h * total + offsets[s]) * dk)..<((h * total + offsets[s + 1]) * dk)]),
          k: Array(keys[s][(g * nk * dk)..<((g + 1) * nk * dk)]),
          v: Array(values[s][(g * nk * dv)..<((g + 1) * nk * dv)]), shape: shape)
        let o = Oracle.attention(inputs, scale: Double(shape.defaultScale), mask: mask)
        for (i, x) in o.enumerated() { out[(h * total + offsets[s]) * dv + i] = x }
      }
    }
    return out
  }

  /// `x` (rows of `d`) with each element `e` replaced by `round(e, max|x|)`, the largest taken
  /// over its block of 32 features of the row.
  static func blockwise(_ x: [Float], d: Int, _ round: (Float, Float) -> Float) -> [Float] {
    var out = x
    for row in stride(from: 0, to: x.count, by: d) {
      for block in stride(from: row, to: row + d, by: 32) {
        let range = block..<min(block + 32, row + d)
        let largest = range.map { abs(x[$0]) }.max() ?? 0
        for i in range { out[i] = round(x[i], largest) }
      }
    }
    return out
  }

  /// The values an 8-bit cache stores for `x` (rows of `d`): blocks of 32, `max|x| / 127` steps.
  static func int8Rounded(_ x: [Float], d: Int) -> [Float] {
    blockwise(x, d: d) { x, largest in
      largest > 0 ? (x * 127 / largest).rounded() * (largest / 127) : 0
    }
  }

  /// `q` (rows of `d`) as an 8-bit key kernel with `decodeInt8QueryBits` 8 rounds it, in the
  /// same Float32 steps: blocks of 32, `n = q · (127 / max|q|)` to nearest even, `n · max|q| / 127`.
  static func queryRounded(_ q: [Float], d: Int) -> [Float] {
    blockwise(q, d: d) { q, largest in
      (q * (largest > 0 ? 127 / largest : 0)).rounded(.toNearestOrEven) * (largest / 127)
    }
  }

  @Test(
    "Float32 storage matches the oracle per sequence: decode and chunks, GQA, masks, threads, ISAs",
    arguments: [
      AttentionMask.none, .causal(.bottomRight), .slidingWindow(size: 9, alignment: .bottomRight),
    ],
    [1, 2])
  func float32Agreement(mask: AttentionMask, threads: Int) throws {
    for (dk, dv) in [(16, 8), (7, 13)] {
      let layout = KVCacheLayout(kvHeads: 2, headDim: dk, valueDim: dv, pageTokens: 16)
      let (cache, ids, keys, values) = try Self.filled(layout)
      let heads = 6
      for decode in [true, false] {
        let counts = decode ? [Int](repeating: 1, count: ids.count) : Self.queries
        let offsets = counts.reduce(into: [0]) { $0.append($0.last! + $1) }
        var generator = SplitMix64(seed: 9)
        let q = (0..<heads * offsets.last! * dk).map { _ in generator.nextGaussian() }
        let want = Self.oracle(
          q: q, heads: heads, layout: layout, offsets: offsets, keys: keys, values: values,
          mask: mask)
        for isa in InstructionSet.supported {
          let got = try cache.attention(
            q: q, heads: heads, sequences: ids, queryOffsets: decode ? nil : offsets,
            options: AttentionOptions(mask: mask, instructionSet: isa), threads: threads)
          let maxV = Double(values.flatMap { $0 }.map(abs).max()!)
          #expect(
            maxAbsoluteError(got, want) <= 2e-6 * maxV,
            "dk \(dk) dv \(dv), \(decode ? "decode" : "chunks"), \(isa), \(threads) threads")
        }
      }
    }
  }

  @Test(
    "Float16 and 8-bit storage: the oracle on the stored values, and the stated error on the originals",
    arguments: [KVStorage.float16, .int8])
  func roundedStorage(storage: KVStorage) throws {
    // Widths with vector and block tails; pages of whole and partial groups of 8-bit keys; 3
    // query heads per K/V head; decoding and chunks of up to 5 queries (15 stacked rows: several
    // calls of the decode kernels).
    for (dk, dv, page) in [(64, 40, 32), (7, 13, 20), (33, 5, 13), (40, 130, 48)] {
      let heads = 6
      let layout = KVCacheLayout(
        kvHeads: 2, headDim: dk, valueDim: dv, pageTokens: page, storage: storage)
      let (cache, ids, keys, values) = try Self.filled(layout, lengths: [1, 33, 200, 513])
      for counts in [[1, 1, 1, 1], [1, 5, 2, 3]] {
        let offsets = counts.reduce(into: [0]) { $0.append(($0.last ?? 0) + $1) }
        var generator = SplitMix64(seed: 3)
        let q = (0..<heads * (offsets.last ?? 0) * dk).map { _ in generator.nextGaussian() }
        let stored = { (x: [Float], d: Int) -> [Float] in
          storage == .int8 ? Self.int8Rounded(x, d: d) : x.map(Self.float16Rounded)
        }
        let mask = AttentionMask.causal(.bottomRight)
        let onStored = Self.oracle(
          q: q, heads: heads, layout: layout, offsets: offsets, keys: keys.map { stored($0, dk) },
          values: values.map { stored($0, dv) }, mask: mask)
        let exact = Self.oracle(
          q: q, heads: heads, layout: layout, offsets: offsets, keys: keys, values: values,
          mask: mask)
        for isa in InstructionSet.supported {
          let got = try cache.attention(
            q: q, heads: heads, sequences: ids, queryOffsets: offsets,
            options: AttentionOptions(mask: mask, instructionSet: isa))
          let maxV = Double(values.flatMap { $0 }.map(abs).max() ?? 1)
          let what = "\(storage) \(isa) dk \(dk) dv \(dv) queries \(counts)"
          // A table whose 8-bit key kernel rounds each query to 8 bits per block first scores
          // the rounded query: the oracle on the stored values takes it too.
          var want = onStored
          if storage == .int8, try #require(MicroKernelTable.entry(isa)).decodeInt8QueryBits == 8 {
            want = Self.oracle(
              q: Self.queryRounded(q, d: dk), heads: heads, layout: layout, offsets: offsets,
              keys: keys.map { stored($0, dk) }, values: values.map { stored($0, dv) }, mask: mask)
          }
          var rounding = 0.0
          // A table whose 8-bit value kernel rounds the weights p · scale to fixed point moves
          // the output by at most `productsInt8WeightRounding` · max|V| (each block's largest
          // scale is its row's max|v| / 127).
          if storage == .int8 {
            rounding += try #require(MicroKernelTable.entry(isa)).productsInt8WeightRounding * maxV
          }
          #expect(maxAbsoluteError(got, want) <= 2e-6 * maxV + rounding, "\(what)")
          // The storage's own error on these Gaussian inputs: Float16's rounding (2⁻¹¹ of each
          // key and value) and 8 bits' half-step (max|x| / 254 of each block) carried through
          // the softmax. Largest measured here: 2.8e-3 · max|V| (8 bits, on every table), 2.3e-4
          // (Float16); the bounds are about 4 times those (3.1e-3, 3.6e-3 on AVX512-VNNI, and
          // 2.1e-4 against PyTorch, dk = 64).
          let bound = storage == .int8 ? 1e-2 : 1e-3
          #expect(maxAbsoluteError(got, exact) <= bound * maxV, "\(what) vs float32")
        }
      }
    }
  }

  @Test("Float16 rounding: every half kept, midpoints to even, overflow to infinity, NaN kept")
  func halfRounding() {
    for bits in UInt16(0)..<0x7c00 {
      let x = HalfPrecision.value(bits)
      #expect(HalfPrecision.bits(x) == bits && HalfPrecision.bits(-x) == bits | 0x8000)
      guard bits < 0x7bff else { continue }
      // The midpoint to the next half (exact in Float32) goes to the even one; just off it, to
      // the nearer one.
      let next = HalfPrecision.value(bits + 1)
      let middle = (x + next) / 2
      #expect(HalfPrecision.bits(middle) == (bits % 2 == 0 ? bits : bits + 1), "\(bits)")
      #expect(
        HalfPrecision.bits(middle.nextDown) == bits && HalfPrecision.bits(middle.nextUp) == bits + 1
      )
    }
    #expect(HalfPrecision.bits(65519.99) == 0x7bff)
    #expect(HalfPrecision.bits(65520) == 0x7c00 && HalfPrecision.bits(-1e30) == 0xfc00)
    #expect(HalfPrecision.value(HalfPrecision.bits(.nan)).isNaN)
    #expect(HalfPrecision.bits(1e-8) == 0 && HalfPrecision.bits(3.1e-8) == 1)
  }

  /// `x` rounded to the nearest Float16 (ties to even), computed without the `Float16` type.
  static func float16Rounded(_ x: Float) -> Float {
    guard x != 0 else { return x }
    let exponent = max(Int(x.magnitude.exponent), -14)  // subnormal halves: a step of 2^-24
    let step = Float(sign: .plus, exponent: exponent - 10, significand: 1)
    return (x / step).rounded(.toNearestOrEven) * step
  }
}
