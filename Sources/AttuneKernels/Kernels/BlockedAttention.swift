/// The report's `cython_attention`: the section II algorithm in blocks of `blockSize` query rows,
/// on one thread, in scalar code.
///
/// Only one block's scores exist at a time, so scratch is `blockSize · Nk` floats instead of the
/// naive kernel's `Nq · Nk`. See `ScalarRowBlock` for the three phases.
///
/// - Complexity: O(Nq · Nk · (dk + dv)) time, `blockSize · (Nk + 1)` floats of scratch.
public struct BlockedAttention: AttentionKernel {
  /// Query rows per block.
  public let blockSize: Int

  /// Creates the kernel.
  ///
  /// - Throws: `AttentionError.invalidParameter` if `blockSize < 1`.
  public init(blockSize: Int = Self.parameters[0].defaultValue) throws(AttentionError) {
    self.blockSize = try Self.parameters[0].checked(blockSize, kernel: "blocked")
  }

  /// `"blocked"`.
  public var name: String { Self.descriptor.name }
  /// `blockSize`.
  public var settings: [KernelSetting] { [KernelSetting("blockSize", blockSize)] }

  /// `blockSize` (default 64, the report's winner).
  public static let parameters = [KernelParameter.blockSize(defaultValue: 64)]

  /// The catalog entry.
  public static let descriptor = KernelDescriptor(
    name: "blocked",
    summary: "the report's algorithm in row blocks: fused scale+max, two-pass softmax; 1 thread",
    parameters: parameters
  ) { values throws(AttentionError) in
    try BlockedAttention(
      blockSize: KernelDescriptor.value(parameters[0], in: values, kernel: "blocked"))
  }

  /// One block's scores and maxima.
  public func scratchBytes(for shape: AttentionShape) -> Int {
    let rows = min(blockSize, shape.queries)
    return AlignedBuffer.bytes(ScalarRowBlock.scratchCount(blockRows: rows, keys: shape.keys))
  }

  /// Computes `O` one row block after another.
  public func compute(_ problem: AttentionProblem, into output: UnsafeMutableBufferPointer<Float>) {
    let nq = problem.shape.queries
    let rows = min(blockSize, nq)
    let scratch = AlignedBuffer(
      count: ScalarRowBlock.scratchCount(blockRows: rows, keys: problem.shape.keys), for: problem)
    let block = ScalarRowBlock(keyChunk: problem.shape.keys)
    let o = SharedOutput(output).base
    for start in stride(from: 0, to: nq, by: rows) {
      block.run(problem, rows: start..<min(start + rows, nq), scratch: scratch.base, o: o)
    }
  }
}
