import AttuneKernels
import Testing

/// The fused kernel's query blocks: every row in exactly one block, no block over the requested
/// rows, whole register tiles, and a worker count's multiple of blocks when there are enough.
struct QueryBlocksTests {
  /// (queries, rows, tileRows, threads).
  static let cases: [(Int, Int, Int, Int)] = [
    (1, 48, 6, 2), (7, 48, 6, 2), (63, 64, 8, 2), (64, 64, 8, 2), (65, 64, 8, 2),
    (1000, 48, 6, 2), (1024, 48, 6, 2), (2048, 48, 6, 2), (4096, 48, 6, 3), (2048, 7, 6, 2),
    (13, 6, 6, 2), (100, 48, 6, 1), (100, 48, 6, 8), (32768, 64, 8, 5),
  ]

  @Test(arguments: cases)
  func blocksCoverTheRowsInWholeTiles(shape: (Int, Int, Int, Int)) {
    let (queries, rows, tileRows, threads) = shape
    let blocks = QueryBlocks(queries: queries, rows: rows, tileRows: tileRows, threads: threads)
    var next = 0
    var largest = 0
    for b in 0..<blocks.count {
      let block = blocks.rows(b)
      #expect(block.lowerBound == next, "block \(b) starts where the previous one ended")
      #expect(!block.isEmpty, "block \(b) is empty")
      #expect(block.count <= min(rows, queries), "block \(b) has more rows than asked")
      if block.upperBound < queries {
        #expect(block.count % blocks.granule == 0, "block \(b) ends inside a register tile")
      }
      largest = max(largest, block.count)
      next = block.upperBound
    }
    #expect(next == queries)
    #expect(largest <= blocks.maxRows)
    #expect(blocks.granule == (min(rows, queries) % tileRows == 0 ? tileRows : 1))
    // The small blocks at the end: at most `threads` + 1 blocks' worth of rows, taken last.
    let whole = min(rows, queries) / blocks.granule * blocks.granule
    let sizes = (0..<blocks.count).map { blocks.rows($0).count }
    let small = sizes.drop { $0 == whole }
    #expect(small.reduce(0, +) <= (threads + 1) * whole)
    #expect(small.allSatisfy { $0 <= (whole / blocks.granule + 1) / 2 * blocks.granule })
  }

  /// At N = 1024 with 48-row blocks on 2 workers: 19 whole blocks, then 5 of 18 to 24 rows.
  @Test func theLastRowsComeInHalfBlocks() {
    let blocks = QueryBlocks(queries: 1024, rows: 48, tileRows: 6, threads: 2)
    let sizes = (0..<blocks.count).map { blocks.rows($0).count }
    #expect(sizes.prefix(19).allSatisfy { $0 == 48 })
    #expect(sizes.dropFirst(19) == [18, 24, 24, 24, 22])
  }

  /// One worker has nothing to balance: blocks of the requested rows, the last one shorter. (A
  /// decoding step's 4 stacked query rows in two blocks read K and V twice: twice the time.)
  @Test(arguments: [(4, 48, 6), (100, 48, 6), (1024, 48, 6), (7, 64, 8)])
  func oneWorkerKeepsWholeBlocks(shape: (Int, Int, Int)) {
    let (queries, rows, tileRows) = shape
    let blocks = QueryBlocks(queries: queries, rows: rows, tileRows: tileRows, threads: 1)
    let per = min(rows, queries)
    #expect(blocks.count == (queries + per - 1) / per)
    for b in 0..<blocks.count {
      #expect(blocks.rows(b) == (b * per)..<min(queries, (b + 1) * per))
    }
  }
}
