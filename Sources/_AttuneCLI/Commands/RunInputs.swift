import ArgumentParser
import AttuneKernels
import AttuneNPY

/// The tensors `attune run` computes on: Q, K, V as flat Float32 arrays with their multi-head
/// shape, Q's leading dimensions (kept on the output), and whether they were stored as float16.
struct RunInputs {
  let q: [Float]
  let k: [Float]
  let v: [Float]
  let shape: MultiHeadShape
  let leading: [Int]
  let isHalf: Bool

  /// Standard normal inputs of `shape`; `leading` keeps [B, H] on the output. `outputBytes`
  /// (what the run will hold besides the inputs: O, its encoding, the log-sum-exp) is checked
  /// with the inputs, in total, before anything is drawn.
  static func random(
    _ shape: MultiHeadShape, seed: UInt64, leading: Bool, outputBytes: Int = 0
  ) throws -> RunInputs {
    try ensure { () throws(AttentionError) in try shape.validate() }
    let total = shape.queryCount &+ shape.keyCount &+ shape.valueCount
    try ensure { () throws(AttentionError) in
      try Platform.checkMemory(
        outputBytes > 0 ? "random inputs and the output" : "random inputs",
        bytes: Platform.totalBytes(Platform.floatBytes(total), outputBytes))
    }
    SetupNotice.announce("drawing random inputs", bytes: Platform.floatBytes(total))
    let (q, k, v) = StandardNormals.queriesKeysValues(
      queries: shape.queryCount, keys: shape.keyCount, values: shape.valueCount, seed: seed)
    return RunInputs(
      q: q, k: k, v: v,
      shape: shape, leading: leading ? [shape.batch, shape.heads] : [], isHalf: false)
  }

  /// A tensor read from `.npy` with its (batch, heads, rows, columns).
  struct Tensor {
    let array: NPYArray
    let batch: Int
    let heads: Int
    let rows: Int
    let columns: Int
  }

  /// Reads `[N, d]`, `[H, N, d]` or `[B, H, N, d]`.
  static func tensor(_ name: String, _ path: String) throws -> Tensor {
    let array: NPYArray
    do { array = try NPY.read(path: path) } catch {
      throw CommandError("\(name) (\(path)): \(error)")
    }
    let shape = array.shape
    guard shape.count >= 2, array.storedType != .bool else {
      throw CommandError(
        "\(name) (\(path)) has shape \(array.shapeDescription) of \(array.storedType.rawValue); expected floats [N, d], [H, N, d] or [B, H, N, d]"
      )
    }
    // Rows may be 0 (no query, or no key: the output is empty, or zeros); nothing else may.
    guard shape.enumerated().allSatisfy({ $0.element >= 1 || $0.offset == shape.count - 2 })
    else {
      throw CommandError("\(name) (\(path)) is empty: shape \(array.shapeDescription)")
    }
    if let outside = array.firstOutOfRange { throw outOfRange(outside, name, path) }
    let rank = shape.count
    return Tensor(
      array: array, batch: rank == 4 ? shape[0] : 1, heads: rank >= 3 ? shape[rank - 3] : 1,
      rows: shape[rank - 2], columns: shape[rank - 1])
  }

  /// Reads Q, K and V and checks that their shapes fit together.
  static func load(q qPath: String, k kPath: String, v vPath: String) throws -> RunInputs {
    let q = try tensor("Q", qPath)
    let k = try tensor("K", kPath)
    let v = try tensor("V", vPath)
    func describe(_ t: Tensor) -> String { t.array.shapeDescription }
    guard q.columns == k.columns else {
      throw CommandError(
        "Q is \(describe(q)) and K is \(describe(k)): their last dimensions (dk) must match")
    }
    guard k.rows == v.rows, k.heads == v.heads, k.batch == v.batch else {
      throw CommandError(
        "K is \(describe(k)) and V is \(describe(v)): they need the same batch, heads and rows (Nk)"
      )
    }
    guard q.batch == k.batch else {
      throw CommandError("Q is \(describe(q)) and K is \(describe(k)): their batch sizes differ")
    }
    guard q.heads % k.heads == 0 else {
      throw CommandError(
        "Q has \(q.heads) heads and K \(k.heads): query heads must be a multiple of key/value heads"
      )
    }
    let shape = MultiHeadShape(
      batch: q.batch, heads: q.heads, kvHeads: k.heads,
      head: AttentionShape(
        queries: q.rows, keys: k.rows, headDim: q.columns, valueDim: v.columns))
    try ensure { () throws(AttentionError) in try shape.validate(allowingEmptySequences: true) }
    let half = [q, k, v].allSatisfy { $0.array.storedType == .float16 }
    return RunInputs(
      q: q.array.values, k: k.array.values, v: v.array.values, shape: shape,
      leading: Array(q.array.shape.dropLast(2)), isHalf: half)
  }

  /// Reads a bias: float values, or booleans (true attends, false hides), of any shape that
  /// broadcasts to [B, H, Nq, Nk] as PyTorch's (each dimension, aligned from the right, 1 or the
  /// full size). Memory: the file's values, and Nk times them when the key dimension is 1.
  static func bias(_ path: String, for shape: MultiHeadShape) throws -> AttentionBias {
    let array: NPYArray
    do { array = try NPY.read(path: path) } catch {
      throw CommandError("bias (\(path)): \(error)")
    }
    // A float64 value below −3.4e38 hides its key, as −∞ would; one above +3.4e38 is refused.
    if let outside = array.firstOutOfRange, outside.value > 0 {
      throw outOfRange(outside, "bias", path)
    }
    // PyTorch's broadcasting: dimensions aligned from the right on [B, H, Nq, Nk], each 1 or the
    // full size (a padding mask [B, 1, 1, Nk], a per-query [Nq, 1], a row [Nk]...).
    let full = [shape.batch, shape.heads, shape.head.queries, shape.head.keys]
    let dims = [Int](repeating: 1, count: 4 - array.shape.count) + array.shape
    guard zip(dims, full).allSatisfy({ $0 == 1 || $0 == $1 }) else {
      throw CommandError(
        "bias (\(path)) has shape \(array.shapeDescription), which does not broadcast to [B, H, Nq, Nk] = \(full): each dimension, aligned from the right, must be 1 or the full size"
      )
    }
    var values =
      array.storedType == .bool ? array.values.map { $0 != 0 ? 0 : -.infinity } : array.values
    let nk = shape.head.keys
    if dims[3] == 1 && nk > 1 {
      // One value per row: the same for every key.
      try ensure { () throws(AttentionError) in
        try Platform.checkMemory(
          "the bias broadcast over keys", bytes: Platform.floatBytes(values.count &* nk))
      }
      values = values.flatMap { [Float](repeating: $0, count: nk) }
    }
    let bias = AttentionBias(
      values: values, batch: dims[0], heads: dims[1], queries: dims[2] == 1 ? 1 : nil)
    return bias
  }

  /// The error for a finite float64 value of `name`'s file that float32 cannot hold.
  static func outOfRange(_ outside: OutOfRangeValue, _ name: String, _ path: String)
    -> CommandError
  {
    CommandError(
      "\(name) (\(path)) holds \(outside.value) at flat index \(outside.index), beyond float32's range (±3.4e38), in which Attune computes"
    )
  }
}
