/// Q, K and V for one problem, owned as arrays: what `attune run --random`, the tests and the
/// benchmark feed to the kernels.
public struct AttentionInputs: Sendable {
  /// Queries, `[Nq, dk]`.
  public var q: [Float]
  /// Keys, `[Nk, dk]`.
  public var k: [Float]
  /// Values, `[Nk, dv]`.
  public var v: [Float]
  /// The sizes.
  public var shape: AttentionShape

  /// Wraps arrays; `attention` checks their lengths when it runs.
  public init(q: [Float], k: [Float], v: [Float], shape: AttentionShape) {
    self.q = q
    self.k = k
    self.v = v
    self.shape = shape
  }

  /// Independent standard normal entries from `seed`, as `torch.randn` would give.
  ///
  /// - Throws: `AttentionError` if the shape is invalid.
  public static func random(shape: AttentionShape, seed: UInt64) throws(AttentionError)
    -> AttentionInputs
  {
    try shape.validate()
    let count = shape.queryCount.addingReportingOverflow(shape.keyCount)
    let total = count.partialValue.addingReportingOverflow(shape.valueCount)
    try Platform.checkMemory(
      "random inputs of shape \(shape)",
      bytes: count.overflow || total.overflow ? Int.max : Platform.floatBytes(total.partialValue))
    let (q, k, v) = StandardNormals.queriesKeysValues(
      queries: shape.queryCount, keys: shape.keyCount, values: shape.valueCount, seed: seed)
    return AttentionInputs(q: q, k: k, v: v, shape: shape)
  }

  /// Runs `kernel` on these inputs.
  ///
  /// - Throws: `AttentionError` as `attention(q:k:v:shape:kernel:options:)`.
  public func run(
    _ kernel: any AttentionKernel, options: AttentionOptions = AttentionOptions()
  ) throws(AttentionError) -> [Float] {
    try attention(q: q, k: k, v: v, shape: shape, kernel: kernel, options: options)
  }
}
