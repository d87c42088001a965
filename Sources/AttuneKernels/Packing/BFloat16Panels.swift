/// K rounded to bfloat16 and packed for `attune_bf16_scores`: tiles of keys as in `PackedKeys`,
/// each cut into panels of 32 keys, each panel `[pairs][32]` 32-bit words, where word `[p][j]`
/// holds key `j`'s features `2p` (low half) and `2p + 1` (high half). An odd `dk` is padded with a
/// zero feature, and a tile's last panel with zero keys, whose scores the callers ignore.
///
/// - Complexity: O(Nk · dk) time to build; `⌈Nk / tileKeys⌉ · ⌈tileKeys / 32⌉ · 32 · ⌈dk / 2⌉`
///   words (half the bytes of `PackedKeys`).
package final class BFloat16Panels: Sendable {
  /// Keys per panel: the width of `attune_bf16_scores`, and of the AVX-512 entry whose tiles the
  /// walker uses with it.
  package static let panelKeys = 32

  /// Keys per tile (the last tile may hold fewer).
  package let tileKeys: Int
  /// Panels in a full tile.
  package let panelsPerTile: Int
  /// Feature pairs per key, `⌈dk / 2⌉`.
  package let pairs: Int
  private let storage: AlignedWords

  /// Rounds and packs the keys of a validated `problem` in tiles of `tileKeys` keys.
  package init(_ problem: AttentionProblem, tileKeys: Int) {
    let nk = problem.shape.keys
    let dk = problem.shape.headDim
    let tile = min(tileKeys, nk)
    let panelKeys = Self.panelKeys
    let pairs = (dk + 1) / 2
    let panelsPerTile = (tile + panelKeys - 1) / panelKeys
    self.tileKeys = tile
    self.pairs = pairs
    self.panelsPerTile = panelsPerTile
    storage = AlignedWords(
      count: Self.wordCount(keys: nk, headDim: dk, tileKeys: tile), for: problem)
    let k = problem.kBase
    let out = storage.base
    for key in 0..<nk {
      let destination =
        out
        + PackedKeys.offset(
          ofKey: key, tileKeys: tile, panelKeys: panelKeys, panelsPerTile: panelsPerTile,
          width: pairs)
      let source = k + key * dk
      for p in 0..<(dk / 2) {
        destination[p * panelKeys] = BFloat16Rounding.pair(source[2 * p], source[2 * p + 1])
      }
      if dk % 2 == 1 {
        destination[(pairs - 1) * panelKeys] = BFloat16Rounding.pair(source[dk - 1], 0)
      }
    }
  }

  /// The first word of panel `p` of tile `t`.
  @inline(__always)
  package func panel(tile t: Int, _ p: Int) -> UnsafePointer<UInt32> {
    UnsafePointer(storage.base + (t * panelsPerTile + p) * Self.panelKeys * pairs)
  }

  /// Words needed for `keys` keys of width `headDim` in tiles of `tileKeys`.
  package static func wordCount(keys: Int, headDim: Int, tileKeys: Int) -> Int {
    PackedKeys.floatCount(
      keys: keys, headDim: (headDim + 1) / 2, tileKeys: tileKeys, panelKeys: panelKeys)
  }
}
