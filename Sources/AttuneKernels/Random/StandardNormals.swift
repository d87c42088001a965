/// Standard normal samples in bulk, for random inputs: drawn on several threads, the same
/// samples for any number of threads.
///
/// The samples of a stream are cut into blocks of `blockSize`; block `b` of stream `s` has its own
/// `SplitMix64`, seeded from (`seed`, `s`, `b`), so any worker may draw any block. Within a block,
/// the polar method gives a pair of samples per logarithm and no trigonometry, where
/// `SplitMix64.nextGaussian` spends a logarithm and a cosine on one sample.
///
/// - Complexity: O(count) time, shared among up to `threads` workers.
package enum StandardNormals {
  /// Samples per block.
  package static let blockSize = 1 << 16

  /// `count` (≥ 0) standard normal samples of stream `stream` of `seed`.
  package static func draw(
    count: Int, seed: UInt64, stream: UInt64, threads: Int = Platform.activeProcessorCount
  ) -> [Float] {
    guard count > 0 else { return [] }
    let blocks = (count + blockSize - 1) / blockSize
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      let output = SharedOutput(buffer)
      WorkQueue.run(items: blocks, threads: max(1, threads)) { queue in
        while let block = queue.take() {
          let start = block * blockSize
          fill(
            output.base + start, count: min(blockSize, count - start),
            seed: blockSeed(seed: seed, stream: stream, block: block))
        }
      }
      initialized = count
    }
  }

  /// Q, K and V with `queries`, `keys` and `values` samples: streams 0, 1 and 2 of `seed`, the
  /// one convention of every random input in the package (`AttentionInputs.random`, `attune run
  /// --random`, `attune backward --random`, whose dL/dO is stream 3).
  package static func queriesKeysValues(
    queries: Int, keys: Int, values: Int, seed: UInt64
  ) -> (q: [Float], k: [Float], v: [Float]) {
    (
      draw(count: queries, seed: seed, stream: 0), draw(count: keys, seed: seed, stream: 1),
      draw(count: values, seed: seed, stream: 2)
    )
  }

  /// The seed of one block's generator: (`seed`, `stream`, `block`) mixed by a SplitMix64 step.
  static func blockSeed(seed: UInt64, stream: UInt64, block: Int) -> UInt64 {
    var mixer = SplitMix64(
      seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03) ^ (UInt64(block) &* 0x9E37_79B9_7F4A_7C15))
    return mixer.next()
  }

  /// `count` samples into `output`, in pairs from one generator (Marsaglia's polar method: a
  /// point drawn uniformly in the unit disc, `(u, v) · √(−2 ln s / s)` with `s = u² + v²`).
  private static func fill(_ output: UnsafeMutablePointer<Float>, count: Int, seed: UInt64) {
    var generator = SplitMix64(seed: seed)
    var i = 0
    while i < count {
      // u and v in [−1, 1), 53 bits each; points outside the disc (or at its centre) are drawn
      // again (about 21 % of them).
      let u = Double(generator.next() >> 11) * 0x1p-52 - 1
      let v = Double(generator.next() >> 11) * 0x1p-52 - 1
      let s = u * u + v * v
      guard s < 1, s > 0 else { continue }
      let factor = (-2 * Platform.log(s) / s).squareRoot()
      output[i] = Float(u * factor)
      if i + 1 < count { output[i + 1] = Float(v * factor) }
      i += 2
    }
  }
}
