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

  /// Standard normal inputs of `shape`; `leading` keeps [B, H] on the output.
  static func random(_ shape: MultiHeadShape, seed: UInt64, leading: Bool) throws -> RunInputs {
    try ensure { () throws(AttentionError) in try shape.validate() }
    let total = shape.queryCount &+ shape.keyCount &+ shape.valueCount
    try ensure { () throws(AttentionError) in
      try Platform.checkMemory("random inputs", bytes: Platform.floatBytes(total))
    }
    var generator = SplitMix64(seed: seed)
    func draw(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextGaussian() } }
    return RunInputs(
      q: draw(shape.queryCount), k: draw(shape.keyCount), v: draw(shape.valueCount),
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
    guard shape.allSatisfy({ $0 >= 1 }) else {
      throw CommandError("\(name) (\(path)) is empty: shape \(array.shapeDescription)")
    }
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
    try ensure { () throws(AttentionError) in try shape.validate() }
    let half = [q, k, v].allSatisfy { $0.array.storedType == .float16 }
    return RunInputs(
      q: q.array.values, k: k.array.values, v: v.array.values, shape: shape,
      leading: Array(q.array.shape.dropLast(2)), isHalf: half)
  }

  /// Reads a bias: float values, or booleans (true attends, false hides), of shape [Nq, Nk],
  /// [H|1, Nq, Nk] or [B|1, H|1, Nq, Nk].
  static func bias(_ path: String, for shape: MultiHeadShape) throws -> AttentionBias {
    let array: NPYArray
    do { array = try NPY.read(path: path) } catch {
      throw CommandError("bias (\(path)): \(error)")
    }
    let dims = array.shape
    let (nq, nk) = (shape.head.queries, shape.head.keys)
    guard dims.count >= 2, dims[dims.count - 2] == nq, dims[dims.count - 1] == nk else {
      throw CommandError(
        "bias (\(path)) has shape \(array.shapeDescription); its last two dimensions must be [Nq, Nk] = [\(nq), \(nk)]"
      )
    }
    let heads = dims.count >= 3 ? dims[dims.count - 3] : 1
    let batch = dims.count == 4 ? dims[0] : 1
    let values =
      array.storedType == .bool ? array.values.map { $0 != 0 ? 0 : -.infinity } : array.values
    let bias = AttentionBias(values: values, batch: batch, heads: heads)
    guard batch == 1 || batch == shape.batch, heads == 1 || heads == shape.heads else {
      throw CommandError(
        "bias (\(path)) has shape \(array.shapeDescription); batch must be 1 or \(shape.batch) and heads 1 or \(shape.heads)"
      )
    }
    return bias
  }
}
