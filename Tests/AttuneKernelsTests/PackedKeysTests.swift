import AttuneKernels
import Testing

/// K's panels as the score micro-kernels read them: every key's features in place, padding keys
/// zero (even in a reused scratch block), the same with one thread as with several.
struct PackedKeysTests {
  /// (keys, dk, tileKeys, panelKeys): partial tiles and panels, one key, one feature, and K
  /// large enough (`keys · dk ≥ 65 536`) for the panels to be shared among threads.
  static let cases: [(Int, Int, Int, Int)] = [
    (1, 1, 512, 16), (7, 3, 4, 16), (65, 64, 512, 16), (100, 5, 48, 32), (1031, 65, 100, 16),
    (2048, 64, 512, 16), (1000, 67, 1000, 12),
  ]

  @Test(arguments: cases, [1, 2])
  func panelsHoldEveryKeyAndZeroPadding(shape: (Int, Int, Int, Int), threads: Int) throws {
    let (nk, dk, tileKeys, panelKeys) = shape
    let k = (0..<nk * dk).map { Float($0 % 1009) + 0.5 }
    let poison = [Float](repeating: .nan, count: nk * dk)
    let shape = AttentionShape(queries: 1, keys: nk, headDim: dk, valueDim: 1)
    let q = [Float](repeating: 0, count: dk)
    let v = [Float](repeating: 0, count: nk)
    try q.withUnsafeBufferPointer { q in
      try v.withUnsafeBufferPointer { v in
        // A block of NaNs handed back to the scratch cache first: padding must not inherit it.
        try poison.withUnsafeBufferPointer { bad in
          let problem = try AttentionProblem(q: q, k: bad, v: v, shape: shape, scale: 1)
          _ = PackedKeys(problem, tileKeys: tileKeys, panelKeys: panelKeys, threads: threads)
        }
        try k.withUnsafeBufferPointer { kb in
          let problem = try AttentionProblem(q: q, k: kb, v: v, shape: shape, scale: 1)
          let packed = PackedKeys(
            problem, tileKeys: tileKeys, panelKeys: panelKeys, threads: threads)
          let tile = min(tileKeys, nk)
          #expect(packed.tileCount == (nk + tile - 1) / tile)
          for t in 0..<packed.tileCount {
            for p in 0..<packed.panelsPerTile {
              let panel = packed.panel(tile: t, p)
              for j in 0..<panelKeys {
                let key = t * tile + p * panelKeys + j
                let real = key < nk && p * panelKeys + j < tile
                for c in 0..<dk {
                  let want = real ? k[key * dk + c] : 0
                  guard panel[c * panelKeys + j] == want else {
                    Issue.record(
                      "tile \(t) panel \(p) key \(j) feature \(c): \(panel[c * panelKeys + j]), want \(want)"
                    )
                    return
                  }
                }
              }
            }
          }
        }
      }
    }
  }
}
