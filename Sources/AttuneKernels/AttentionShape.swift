/// The sizes of one attention problem.
///
/// Attune computes `O = softmax(Q · Kᵀ · scale) · V` for row-major Float32 tensors
/// `Q [Nq, dk]`, `K [Nk, dk]`, `V [Nk, dv]` and `O [Nq, dv]`. Every size is at least 1.
///
/// The type is a plain value so later dimensions (batch, heads, masks) can be added as properties
/// with defaults without breaking existing callers.
public struct AttentionShape: Hashable, Sendable, Codable, CustomStringConvertible {
  /// Query rows, `Nq`.
  public var queries: Int
  /// Key and value rows, `Nk`.
  public var keys: Int
  /// Query and key width, `dk`.
  public var headDim: Int
  /// Value and output width, `dv`.
  public var valueDim: Int

  /// Creates a shape; `valueDim` defaults to `headDim`.
  public init(queries: Int, keys: Int, headDim: Int, valueDim: Int? = nil) {
    self.queries = queries
    self.keys = keys
    self.headDim = headDim
    self.valueDim = valueDim ?? headDim
  }

  /// A square self-attention shape: `Nq = Nk = tokens`, `dk = dv = headDim`.
  public static func square(tokens: Int, headDim: Int) -> AttentionShape {
    AttentionShape(queries: tokens, keys: tokens, headDim: headDim)
  }

  /// Element count of `Q`, `Nq · dk`.
  public var queryCount: Int { queries * headDim }
  /// Element count of `K`, `Nk · dk`.
  public var keyCount: Int { keys * headDim }
  /// Element count of `V`, `Nk · dv`.
  public var valueCount: Int { keys * valueDim }
  /// Element count of `O`, `Nq · dv`.
  public var outputCount: Int { queries * valueDim }

  /// Floating-point operations of the two products, `2 · Nq · Nk · (dk + dv)`.
  ///
  /// This is the usual `4 · N² · d` when `Nq = Nk = N` and `dk = dv = d`; the softmax is not counted.
  public var flops: Double {
    2 * Double(queries) * Double(keys) * Double(headDim + valueDim)
  }

  /// The default score scale, `1 / √dk`.
  public var defaultScale: Float { 1 / Float(headDim).squareRoot() }

  /// `"Nq=… Nk=… dk=… dv=…"`.
  public var description: String {
    "Nq=\(queries) Nk=\(keys) dk=\(headDim) dv=\(valueDim)"
  }

  /// Checks that every size is at least 1 and that every element count fits in `Int`.
  ///
  /// - Throws: `AttentionError.emptyDimension` or `AttentionError.sizeOverflow`.
  public func validate() throws(AttentionError) {
    try validate(allowingEmptySequences: false)
  }

  /// `validate()`, letting Nq and Nk be 0 when `allowingEmptySequences` (an empty output, or
  /// rows that see no key: zeros, as `attention` gives them).
  package func validate(allowingEmptySequences: Bool) throws(AttentionError) {
    let least = allowingEmptySequences ? 0 : 1
    for (name, value, lowest) in [
      ("Nq", queries, least), ("Nk", keys, least), ("dk", headDim, 1), ("dv", valueDim, 1),
    ] where value < lowest {
      throw .emptyDimension(name: name, value: value)
    }
    for (a, b) in [(queries, headDim), (keys, headDim), (keys, valueDim), (queries, valueDim)] {
      let (product, overflow) = a.multipliedReportingOverflow(by: b)
      if overflow || product.multipliedReportingOverflow(by: 8).overflow {
        throw .sizeOverflow(shape: description)
      }
    }
  }
}
