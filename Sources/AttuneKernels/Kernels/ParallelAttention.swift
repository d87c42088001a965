/// The report's `optimized_attention`: `BlockedAttention` spread over threads, with keys visited in
/// cache-sized chunks.
///
/// Row blocks are handed out one at a time from a shared queue, so a thread that finishes early
/// takes the next block. Each worker allocates its scratch once. Keys are read 64 at a time for
/// every row of a block (16 KiB of K at `dk = 64`, which stays in L1) instead of all of K per row.
///
/// - Complexity: O(Nq · Nk · (dk + dv)) time; `threads · blockSize · (Nk + 1)` floats of scratch.
public struct ParallelAttention: AttentionKernel {
  /// Query rows per block.
  public let blockSize: Int
  /// Worker threads.
  public let threads: Int

  /// Keys per chunk in the score phase.
  static let keyChunk = 64

  /// Creates the kernel.
  ///
  /// - Throws: `AttentionError.invalidParameter` if a value is out of range.
  public init(
    blockSize: Int = Self.parameters[0].defaultValue,
    threads: Int = Self.parameters[1].defaultValue
  ) throws(AttentionError) {
    self.blockSize = try Self.parameters[0].checked(blockSize, kernel: "parallel")
    self.threads = try Self.parameters[1].checked(threads, kernel: "parallel")
  }

  /// This kernel with `count` threads, or nil when `count` is out of range.
  public func withThreads(_ count: Int) -> (any AttentionKernel)? {
    try? ParallelAttention(blockSize: blockSize, threads: count)
  }

  /// `"parallel"`.
  public var name: String { Self.descriptor.name }
  /// `blockSize`, `threads`.
  public var settings: [KernelSetting] {
    [KernelSetting("blockSize", blockSize), KernelSetting("threads", threads)]
  }

  /// `blockSize` (default 64) and `threads` (default: active processors).
  public static let parameters = [KernelParameter.blockSize(defaultValue: 64), .threads]

  /// The catalog entry.
  public static let descriptor = KernelDescriptor(
    name: "parallel",
    summary: "blocked, row blocks shared among threads, keys read in cache-sized chunks",
    parameters: parameters
  ) { values throws(AttentionError) in
    try ParallelAttention(
      blockSize: KernelDescriptor.value(parameters[0], in: values, kernel: "parallel"),
      threads: KernelDescriptor.value(parameters[1], in: values, kernel: "parallel"))
  }

  /// One block's scores and maxima per worker.
  public func scratchBytes(for shape: AttentionShape) -> Int {
    let rows = min(blockSize, shape.queries)
    let workers = min(threads, (shape.queries + rows - 1) / rows)
    return workers
      * AlignedBuffer.bytes(ScalarRowBlock.scratchCount(blockRows: rows, keys: shape.keys))
  }

  /// Computes `O` with row blocks shared among `threads` workers.
  public func compute(_ problem: AttentionProblem, into output: UnsafeMutableBufferPointer<Float>) {
    let nq = problem.shape.queries
    let rows = min(blockSize, nq)
    let blocks = (nq + rows - 1) / rows
    let o = SharedOutput(output)
    let block = ScalarRowBlock(keyChunk: Self.keyChunk)
    let scratchCount = ScalarRowBlock.scratchCount(blockRows: rows, keys: problem.shape.keys)
    WorkQueue.run(items: blocks, threads: threads) { queue in
      let scratch = AlignedBuffer(count: scratchCount, for: problem)
      while let b = queue.take() {
        let start = b * rows
        block.run(problem, rows: start..<min(start + rows, nq), scratch: scratch.base, o: o.base)
      }
    }
  }
}
