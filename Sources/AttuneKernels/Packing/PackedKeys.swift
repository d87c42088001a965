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
  /// form of bfloat16 scores).
  package init(
    _ problem: AttentionProblem, tileKeys: Int, panelKeys: Int, roundingToBFloat16: Bool = false
  ) {
    let nk = problem.shape.keys
    let dk = problem.shape.headDim
    let tile = min(tileKeys, nk)
    self.panelKeys = panelKeys
    let panelsPerTile = (tile + panelKeys - 1) / panelKeys
    self.tileKeys = tile
    self.dk = dk
    self.panelsPerTile = panelsPerTile
    tileCount = (nk + tile - 1) / tile
    storage = AlignedBuffer(
      count: Self.floatCount(keys: nk, headDim: dk, tileKeys: tile, panelKeys: panelKeys),
      for: problem)
    let k = problem.kBase
    let out = storage.base
    for key in 0..<nk {
      let destination =
        out
        + Self.offset(
          ofKey: key, tileKeys: tile, panelKeys: panelKeys, panelsPerTile: panelsPerTile,
          width: dk)
      let source = k + key * dk
      if roundingToBFloat16 {
        for c in 0..<dk { destination[c * panelKeys] = BFloat16Rounding.rounded(source[c]) }
      } else {
        for c in 0..<dk { destination[c * panelKeys] = source[c] }
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
