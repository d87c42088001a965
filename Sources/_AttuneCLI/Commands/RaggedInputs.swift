import ArgumentParser
import AttuneKernels
import AttuneNPY

/// The tensors of a ragged batch for `attune run`: Q `[H, Tq, dk]`, K `[Hkv, Tk, dk]`, V
/// `[Hkv, Tk, dv]` with their offsets, from files or drawn at random.
struct RaggedInputs {
  let q: [Float]
  let k: [Float]
  let v: [Float]
  let shape: RaggedShape
  /// Q's leading dimensions, kept on the output: `[H]`, or none for a `[Tq, dk]` file.
  let leading: [Int]
  let isHalf: Bool

  /// Standard normal inputs: sequence `s` has `keyLengths[s]` keys and `queries ?? keys` queries.
  static func random(
    keyLengths: [Int], queries: Int?, heads: Int, kvHeads: Int, headDim: Int, valueDim: Int,
    seed: UInt64
  ) throws -> RaggedInputs {
    let keyOffsets = keyLengths.reduce(into: [0]) { $0.append(($0.last ?? 0) &+ $1) }
    let queryOffsets = keyLengths.reduce(into: [0]) { $0.append(($0.last ?? 0) &+ (queries ?? $1)) }
    let shape = RaggedShape(
      heads: heads, kvHeads: kvHeads, headDim: headDim, valueDim: valueDim,
      queryOffsets: queryOffsets, keyOffsets: keyOffsets)
    try ensure { () throws(AttentionError) in
      try shape.validate()
      try Platform.checkMemory(
        "random inputs and the output",
        bytes: Platform.floatBytes(
          shape.queryCount &+ shape.keyCount &+ shape.valueCount &+ shape.outputCount))
    }
    SetupNotice.announce(
      "drawing random inputs",
      bytes: Platform.floatBytes(shape.queryCount &+ shape.keyCount &+ shape.valueCount))
    let (q, k, v) = StandardNormals.queriesKeysValues(
      queries: shape.queryCount, keys: shape.keyCount, values: shape.valueCount, seed: seed)
    return RaggedInputs(
      q: q, k: k, v: v,
      shape: shape, leading: [heads], isHalf: false)
  }

  /// Reads Q, K, V (`[H, T, d]` or `[T, d]`) and the offsets (int32 or int64 `[B + 1]`).
  static func load(
    q qPath: String, k kPath: String, v vPath: String, queryOffsets: String, keyOffsets: String
  ) throws -> RaggedInputs {
    func tensor(_ name: String, _ path: String) throws -> RunInputs.Tensor {
      let tensor = try RunInputs.tensor(name, path)
      guard tensor.array.shape.count <= 3 else {
        throw CommandError(
          "\(name) (\(path)) has shape \(tensor.array.shapeDescription); a ragged batch takes [H, T, d] or [T, d], each sequence's rows end to end"
        )
      }
      return tensor
    }
    func offsets(_ name: String, _ path: String) throws -> [Int] {
      let array: NPYIntegers
      do { array = try NPY.readIntegers(path: path) } catch {
        throw CommandError("\(name) (\(path)): \(error)")
      }
      guard array.shape.count == 1 else {
        throw CommandError(
          "\(name) (\(path)) has shape \(array.shape); expected one dimension, [B + 1]")
      }
      return array.values
    }
    let q = try tensor("Q", qPath)
    let k = try tensor("K", kPath)
    let v = try tensor("V", vPath)
    guard k.rows == v.rows, k.heads == v.heads else {
      throw CommandError(
        "K is \(k.array.shapeDescription) and V is \(v.array.shapeDescription): they need the same heads and rows (Tk)"
      )
    }
    let shape = RaggedShape(
      heads: q.heads, kvHeads: k.heads, headDim: q.columns, valueDim: v.columns,
      queryOffsets: try offsets("query offsets", queryOffsets),
      keyOffsets: try offsets("key offsets", keyOffsets))
    try ensure { () throws(AttentionError) in try shape.validate() }
    for (name, tensor, rows, columns) in [
      ("Q", q, shape.totalQueries, q.columns), ("K", k, shape.totalKeys, q.columns),
      ("V", v, shape.totalKeys, v.columns),
    ] where tensor.rows != rows || tensor.columns != columns {
      throw CommandError(
        "\(name) is \(tensor.array.shapeDescription) but the offsets end at \(rows) rows\(name == "K" ? " (and dk must match Q's)" : "")"
      )
    }
    let half = [q, k, v].allSatisfy { $0.array.storedType == .float16 }
    return RaggedInputs(
      q: q.array.values, k: k.array.values, v: v.array.values, shape: shape,
      leading: Array(q.array.shape.dropLast(2)), isHalf: half)
  }

  /// Multiply-adds ×2 of the batch: `2 · H · Σₛ Nqₛ · Nkₛ · (dk + dv)`.
  var flops: Double {
    var pairs = 0.0
    for s in 0..<shape.sequences {
      let sizes = shape.sequence(s)
      pairs += Double(sizes.queries) * Double(sizes.keys)
    }
    return 2 * Double(shape.heads) * pairs * Double(shape.headDim + shape.valueDim)
  }

  /// Sequence `s`'s keys and values of every K/V head, `[Hkv, Nk, d]` each: what a KV cache
  /// would have been given as the sequence grew.
  func keysAndValues(of s: Int) -> (keys: [Float], values: [Float]) {
    let (first, end) = (shape.keyOffsets[s], shape.keyOffsets[s + 1])
    let (tk, dk, dv) = (shape.totalKeys, shape.headDim, shape.valueDim)
    var keys = [Float]()
    var values = [Float]()
    keys.reserveCapacity(shape.kvHeads * (end - first) * dk)
    values.reserveCapacity(shape.kvHeads * (end - first) * dv)
    for h in 0..<shape.kvHeads {
      keys += k[((h * tk + first) * dk)..<((h * tk + end) * dk)]
      values += v[((h * tk + first) * dv)..<((h * tk + end) * dv)]
    }
    return (keys, values)
  }
}
