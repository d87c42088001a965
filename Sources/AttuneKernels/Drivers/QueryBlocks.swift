/// The query rows of a fused kernel cut into blocks of at most `rows` rows, whole register tiles
/// each, the last stretch in half-size blocks so that workers taking blocks from one queue finish
/// together.
///
/// Cut into blocks of exactly `rows`, the end of a call is ragged: at Nq = 1024 with 48-row
/// blocks, 2 workers share 21 blocks of 48 rows and one of 16, and the worker that takes the last
/// full block may finish up to 48 rows after the other. Here the last `threads` blocks' worth of
/// rows (and the rows left over from whole blocks) go in blocks of half the size, taken last, so
/// the workers' finishing times differ by at most about half a block; the other blocks stay whole,
/// since a block's cost is mostly its rows and splitting them all gains nothing.
///
/// - Complexity: O(1) per block.
package struct QueryBlocks: Sendable, Equatable {
  /// The query rows, `Nq`.
  package let queries: Int
  /// Rows per register tile that every block but the last holds whole: the micro-kernels' tile
  /// when it divides the requested rows per block, else 1.
  package let granule: Int
  /// How many blocks.
  package let count: Int
  /// The most rows a block has (at most the requested rows per block).
  package let maxRows: Int
  /// Register tiles in all (the last may be partial).
  private let tiles: Int
  /// Tiles per whole block.
  private let wholeTiles: Int
  /// How many whole blocks come first.
  private let wholeBlocks: Int

  /// Blocks of at most `rows` (≥ 1) rows of `queries` (≥ 1), in whole tiles of `tileRows` when
  /// `tileRows` divides `rows`; with several threads and at least `threads` blocks of `rows`, the
  /// last `threads` blocks' worth of tiles and the remainder cut into blocks of half as many tiles.
  package init(queries: Int, rows: Int, tileRows: Int, threads: Int) {
    let rows = max(1, min(rows, queries))
    self.queries = queries
    granule = tileRows > 0 && rows % tileRows == 0 ? tileRows : 1
    tiles = (queries + granule - 1) / granule
    wholeTiles = rows / granule
    let workers = max(1, threads)
    let whole = (tiles + wholeTiles - 1) / wholeTiles
    guard workers > 1, whole >= workers, wholeTiles > 1 else {
      // One worker (nothing to balance, and every extra block reads all of K and V again: the
      // stacked rows of a decoding step in two blocks took twice the time), too few blocks to
      // balance (the kernel splits keys instead), or blocks of one tile.
      wholeBlocks = whole
      count = whole
      maxRows = min(queries, wholeTiles * granule)
      return
    }
    wholeBlocks = max(0, (tiles - workers * wholeTiles) / wholeTiles)
    let left = tiles - wholeBlocks * wholeTiles
    let half = (wholeTiles + 1) / 2
    count = wholeBlocks + (left + half - 1) / half
    maxRows = min(queries, wholeTiles * granule)
  }

  /// The rows of block `index` (`0..<count`): consecutive, disjoint, covering `0..<queries`, no
  /// block after the whole ones larger than the one before it (but for rounding).
  @inline(__always)
  package func rows(_ index: Int) -> Range<Int> {
    let first: Int
    let last: Int
    if index < wholeBlocks {
      (first, last) = (index * wholeTiles, (index + 1) * wholeTiles)
    } else {
      let base = wholeBlocks * wholeTiles
      let (i, small, left) = (index - wholeBlocks, count - wholeBlocks, tiles - base)
      (first, last) = (base + i * left / small, base + (i + 1) * left / small)
    }
    return min(queries, first * granule)..<min(queries, last * granule)
  }
}
