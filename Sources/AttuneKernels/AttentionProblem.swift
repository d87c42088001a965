/// Validated, read-only inputs of one attention call, as a kernel receives them.
///
/// `q` is `[Nq, dk]`, `k` is `[Nk, dk]`, `v` is `[Nk, dv]`, all row-major and dense. The public
/// `attention` functions build this only after checking every length against `shape`, so a kernel
/// may index the buffers without checks.
///
/// The type is `@unchecked Sendable`: the buffers are only read while a kernel runs, and the caller
/// keeps them alive for that time, so sharing them among worker threads is safe.
public struct AttentionProblem: @unchecked Sendable {
  /// Queries, `[Nq, dk]`.
  public let q: UnsafeBufferPointer<Float>
  /// Keys, `[Nk, dk]`.
  public let k: UnsafeBufferPointer<Float>
  /// Values, `[Nk, dv]`.
  public let v: UnsafeBufferPointer<Float>
  /// The sizes.
  public let shape: AttentionShape
  /// The factor applied to every score `q · k` before the softmax.
  public let scale: Float
  /// Which keys each query may see. Only kernels whose `supportsMasks` is true receive anything
  /// but `.none`.
  public package(set) var mask: AttentionMask = .none
  /// An additive bias `[Nq, Nk]` (or one row `[Nk]` shared by every query, when
  /// `biasRowStride` is 0) added to the scaled scores (−∞ hides a key), or nil.
  public package(set) var bias: UnsafePointer<Float>?
  /// Floats between the bias rows of consecutive query positions: Nk, or 0 for one shared row.
  package var biasRowStride: Int
  /// Where to write each row's log-sum-exp of its scaled, masked scores, `[Nq]` (−∞ for a row
  /// that sees no key), or nil.
  public package(set) var logSumExp: UnsafeMutablePointer<Float>?
  /// Query positions per head: row `i` is position `i % queryPositions` for masks and biases.
  /// Equal to Nq, except when several query heads that share keys and values are stacked into
  /// one problem (grouped-query attention), so K and V are read once per group.
  public package(set) var queryPositions: Int
  /// How the kernel computes `Q · Kᵀ`. Only kernels whose `supportsMasks` is true receive
  /// anything but `.float32`.
  package var scoreArithmetic: ScoreArithmetic = .float32
  /// The micro-kernels the `simd` and `fused` kernels run on: the process's choice unless the
  /// call's options name an instruction set.
  package var microKernels: MicroKernelTable = .current
  /// Counts the scratch the kernel allocates, when a benchmark asks.
  package var allocationTracker: AllocationTracker?

  /// The keys query row `row` may see.
  @inline(__always)
  package func allowedKeys(row: Int) -> Range<Int> {
    mask.allowedKeys(row: row % queryPositions, queries: queryPositions, keys: shape.keys)
  }

  /// Row `row`'s bias, `[Nk]`, if there is a bias.
  @inline(__always)
  package func biasRow(_ row: Int) -> UnsafePointer<Float>? {
    bias.map { $0 + (row % queryPositions) * biasRowStride }
  }

  /// Whether the problem asks for anything beyond plain attention.
  package var hasExtras: Bool {
    !mask.isNone || bias != nil || logSumExp != nil || scoreArithmetic.roundsToBFloat16
  }

  /// Wraps buffers whose lengths the caller has checked against `shape`.
  ///
  /// - Throws: `AttentionError.shapeMismatch` if a buffer's length disagrees with `shape`.
  public init(
    q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>,
    shape: AttentionShape, scale: Float
  ) throws(AttentionError) {
    try shape.validate()
    for (name, buffer, expected) in [
      ("Q", q, shape.queryCount), ("K", k, shape.keyCount), ("V", v, shape.valueCount),
    ] where buffer.count != expected {
      throw .shapeMismatch(tensor: name, expected: expected, actual: buffer.count)
    }
    // Any finite scale, as PyTorch's: 0 averages V, a negative one favours the least similar keys.
    guard scale.isFinite else { throw .invalidScale("\(scale)") }
    self.q = q
    self.k = k
    self.v = v
    self.shape = shape
    self.scale = scale
    queryPositions = shape.queries
    biasRowStride = shape.keys
  }
}

extension AttentionProblem {
  /// Wraps buffers already validated against `shape` (by an earlier `init`), without checking
  /// again: for benchmarks that call a kernel many times on the same inputs.
  package init(
    validated q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>,
    v: UnsafeBufferPointer<Float>, shape: AttentionShape, scale: Float
  ) {
    self.q = q
    self.k = k
    self.v = v
    self.shape = shape
    self.scale = scale
    queryPositions = shape.queries
    biasRowStride = shape.keys
  }

  /// The first element of `q` (a validated problem is never empty).
  package var qBase: UnsafePointer<Float> { Self.base(q) }
  /// The first element of `k`.
  package var kBase: UnsafePointer<Float> { Self.base(k) }
  /// The first element of `v`.
  package var vBase: UnsafePointer<Float> { Self.base(v) }

  private static func base(_ buffer: UnsafeBufferPointer<Float>) -> UnsafePointer<Float> {
    guard let base = buffer.baseAddress else {
      preconditionFailure("a validated problem has no empty tensor")
    }
    return base
  }
}
