internal import _AttuneMicroKernels

/// K, transposed into the layout the score micro-kernel reads: tiles of keys, each cut into panels
/// of `panelKeys` keys (the micro-kernel table's width), each panel stored `[dk][panelKeys]` (for a
/// feature `c`, the panel's keys' values side by side).
///
/// Tile `t` holds keys `t·tileKeys ..< min((t+1)·tileKeys, Nk)`; a tile's last panel is padded with
/// zero keys, whose scores the callers ignore. With `tileKeys = Nk` there is one tile.
///
/// - Complexity: O(Nk · dk) time to build; `⌈Nk / tileKeys⌉ · ⌈tileKeys / P⌉ · P · dk` floats for
///   panels of `P` keys.
package final class PackedKeys: Sendable {
  /// Keys per panel, the score micro-kernel's width.
  package let panelKeys: Int

  /// Keys per tile (the last tile may hold fewer).
  package let tileKeys: Int
  /// Panels in a full tile.
  package let panelsPerTile: Int
  /// Number of tiles.
  package let tileCount: Int
  private let storage: AlignedBuffer
  private let dk: Int

  /// Packs the keys of a validated `problem` in tiles of `tileKeys` keys and panels of
  /// `panelKeys`, each rounded to the nearest bfloat16 when `roundingToBFloat16` (the portable
  /// form of bfloat16 scores). Panels are shared among `threads` workers when K is large enough
  /// for that to pay for waking them (`parallelFloats`).
  package convenience init(
    _ problem: AttentionProblem, tileKeys: Int, panelKeys: Int, roundingToBFloat16: Bool = false,
    threads: Int = 1
  ) {
    self.init(
      rows: problem.kBase, count: problem.shape.keys, width: problem.shape.headDim,
      tileKeys: tileKeys, panelKeys: panelKeys, roundingToBFloat16: roundingToBFloat16,
      threads: threads, for: problem)
  }

  /// Packs `count` rows of `width` floats from `rows` (K, or any matrix whose rows play the keys'
  /// part, as V does in the backward pass) the same way; scratch counted for `problem`.
  package init(
    rows: UnsafePointer<Float>, count nk: Int, width dk: Int, tileKeys: Int, panelKeys: Int,
    roundingToBFloat16: Bool = false, threads: Int = 1, for problem: AttentionProblem
  ) {
    let tile = min(tileKeys, nk)
    self.panelKeys = panelKeys
    let panelsPerTile = (tile + panelKeys - 1) / panelKeys
    self.tileKeys = tile
    self.dk = dk
    self.panelsPerTile = panelsPerTile
    let tileCount = (nk + tile - 1) / tile
    self.tileCount = tileCount
    // Every float is written below (padding keys with zeros): no need to zero the buffer first.
    let storage = AlignedBuffer(
      count: Self.floatCount(keys: nk, headDim: dk, tileKeys: tile, panelKeys: panelKeys),
      for: problem, zeroed: false)
    self.storage = storage
    let workers = nk * dk >= Self.parallelFloats ? threads : 1
    let output = SharedOutput(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    let source = SharedInput(rows)
    WorkQueue.run(items: tileCount * panelsPerTile, threads: workers) { queue in
      while let p = queue.take() {
        let (t, inTile) = p.quotientAndRemainder(dividingBy: panelsPerTile)
        let first = inTile * panelKeys
        // Keys of this panel that exist: the last tile may be short (and its last panels empty).
        let count = max(0, min(panelKeys, min(tile, nk - t * tile) - first))
        Self.pack(
          source.base + (t * tile + first) * dk, keys: count, dk: dk,
          into: output.base + p * panelKeys * dk, panelKeys: panelKeys,
          roundingToBFloat16: roundingToBFloat16)
      }
    }
  }

  /// Floats of K from which packing is shared among threads (256 KiB).
  static let parallelFloats = 1 << 16

  /// One panel `[dk][panelKeys]` from `keys` rows of K (`keys ≤ panelKeys`; the panel's other
  /// keys are zeros): `attune_pack_panel`'s transposed 4 × 4 blocks, or, rounding to bfloat16,
  /// one value at a time.
  private static func pack(
    _ source: UnsafePointer<Float>, keys: Int, dk: Int, into panel: UnsafeMutablePointer<Float>,
    panelKeys: Int, roundingToBFloat16: Bool
  ) {
    guard roundingToBFloat16 else {
      attune_pack_panel(source, dk, keys, dk, panel, panelKeys)
      return
    }
    for j in 0..<panelKeys {
      let destination = panel + j
      if j >= keys {
        for c in 0..<dk { destination[c * panelKeys] = 0 }
      } else {
        let row = source + j * dk
        for c in 0..<dk { destination[c * panelKeys] = BFloat16Rounding.rounded(row[c]) }
      }
    }
  }

  /// Where key `key`'s first value goes when tiles of `tileKeys` keys are cut into
  /// `panelsPerTile` panels of `panelKeys` keys, each `[width][panelKeys]`: its value `c` lies
  /// `panelKeys · c` further. (`width` is `dk` here, the number of feature pairs in
  /// `BFloat16Panels`.)
  @inline(__always)
  package static func offset(
    ofKey key: Int, tileKeys: Int, panelKeys: Int, panelsPerTile: Int, width: Int
  ) -> Int {
    let t = key / tileKeys
    let inTile = key - t * tileKeys
    let panel = t * panelsPerTile + inTile / panelKeys
    return panel * panelKeys * width + inTile % panelKeys
  }

  /// Keys in tile `t`.
  @inline(__always)
  package func keys(inTile t: Int, total: Int) -> Int { min(tileKeys, total - t * tileKeys) }

  /// The first element of panel `p` of tile `t`.
  @inline(__always)
  package func panel(tile t: Int, _ p: Int) -> UnsafePointer<Float> {
    UnsafePointer(storage.base + (t * panelsPerTile + p) * panelKeys * dk)
  }

  /// Floats needed for `keys` keys of width `headDim` in tiles of `tileKeys` and panels of
  /// `panelKeys`.
  package static func floatCount(keys: Int, headDim: Int, tileKeys: Int, panelKeys: Int) -> Int {
    let tile = max(1, min(tileKeys, keys))
    let tiles = (keys + tile - 1) / tile
    return tiles * ((tile + panelKeys - 1) / panelKeys) * panelKeys * headDim
  }
}
