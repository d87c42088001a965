internal import _AttuneShims

/// The work of the fused kernel on one block of query rows: walks key tiles with an online
/// softmax, honouring the problem's mask, bias, log-sum-exp request and score precision.
///
/// Every inner loop is an entry of the problem's micro-kernel table (`MicroKernelTable`), whose
/// geometry (rows per call, keys per panel, lanes) the walk reads. Scores come from the
/// register-blocked micro-kernel on packed K, or (for a handful of query rows, as in decoding)
/// straight from K's rows, which reads K once instead of packing it, or, with bfloat16 scores on
/// a CPU that has them, from `attune_bf16_scores` on bfloat16 panels. Tiles that no row of the
/// block may see are skipped, and within a tile only the panels some row may see are computed.
package struct FusedTileWalker: @unchecked Sendable {
  /// Where the scores come from.
  package enum ScoreOperands: Sendable {
    /// K's rows read in place.
    case direct
    /// Packed Float32 K (holding bfloat16-rounded values for emulated bfloat16 scores).
    case packed(PackedKeys)
    /// Q and K rounded to bfloat16 pairs, multiplied on `vdpbf16ps`.
    case bfloat16(BFloat16Rows, BFloat16Panels)
  }

  package let problem: AttentionProblem
  /// The micro-kernels and their geometry.
  package let kernels: MicroKernelTable
  package let operands: ScoreOperands
  package let values: PaddedValues
  package let tileKeys: Int
  package let tileCount: Int
  /// Keys per panel of the score operands: the table's, or `attune_bf16_scores`'s for bfloat16
  /// products in hardware.
  package let panelKeys: Int
  /// Floats per score row (`tileKeys` rounded up to whole panels).
  package let lds: Int
  /// 1 when K is read in place (decoding): V's rows then come from memory once, and the product
  /// micro-kernel prefetches them; 0 otherwise.
  private let streamsValues: Int32
  /// Floats per accumulator row (`dv` rounded up to the table's lanes).
  package var ldo: Int { values.stride }
  /// The queries the Float32 score paths read: Q, or its bfloat16-rounded copy.
  private let queries: UnsafePointer<Float>
  /// Keeps the rounded copy of Q alive.
  private let roundedQueries: AlignedBuffer?

  /// Prepares the operands: K packed when `packKeys` (always, for bfloat16 scores), by up to
  /// `threads` workers.
  package init(problem: AttentionProblem, tileKeys requested: Int, packKeys: Bool, threads: Int) {
    self.problem = problem
    let kernels = problem.microKernels
    self.kernels = kernels
    let nk = problem.shape.keys
    let tile = max(1, min(requested, nk))
    tileKeys = tile
    tileCount = (nk + tile - 1) / tile
    panelKeys =
      problem.scoreArithmetic == .bfloat16Hardware ? BFloat16Panels.panelKeys : kernels.panelKeys
    lds = (tile + panelKeys - 1) / panelKeys * panelKeys
    values = PaddedValues(problem, lanes: kernels.lanes)
    streamsValues = problem.scoreArithmetic == .float32 && !packKeys ? 1 : 0
    switch problem.scoreArithmetic {
    case .float32:
      operands =
        packKeys
        ? .packed(
          PackedKeys(problem, tileKeys: tile, panelKeys: kernels.panelKeys, threads: threads))
        : .direct
      roundedQueries = nil
      queries = problem.qBase
    case .bfloat16Hardware:
      operands = .bfloat16(BFloat16Rows(problem), BFloat16Panels(problem, tileKeys: tile))
      roundedQueries = nil
      queries = problem.qBase
    case .bfloat16Emulated:
      operands = .packed(
        PackedKeys(
          problem, tileKeys: tile, panelKeys: kernels.panelKeys, roundingToBFloat16: true,
          threads: threads))
      let copy = AlignedBuffer(count: problem.q.count, for: problem, zeroed: false)
      for i in 0..<problem.q.count { copy.base[i] = BFloat16Rounding.rounded(problem.q[i]) }
      roundedQueries = copy
      queries = UnsafePointer(copy.base)
    }
  }

  /// The keys some row of `start..<start + count` may see.
  @inline(__always)
  package func visibleKeys(start: Int, count: Int) -> Range<Int> {
    let positions = problem.queryPositions
    // Causal and window ranges move right with the position: over positions p0...p1 the union
    // spans allowed(p0).lower..<allowed(p1).upper. Rows that wrap (stacked heads) cover them all.
    let wraps = count >= positions || start % positions + count > positions
    let first = problem.allowedKeys(row: wraps ? 0 : start)
    let last = problem.allowedKeys(row: wraps ? positions - 1 : start + count - 1)
    return first.lowerBound..<max(first.lowerBound, last.upperBound)
  }

  /// Whether the score micro-kernel may find the rows' maxima as it stores the scores (its
  /// `row_max`), which saves a pass over every score: with packed keys, no bias, and a
  /// positive finite scale (so that the largest score, scaled, is the largest scaled score). A
  /// tile that ends inside a panel, and a row that may not see every key of the tile, still take
  /// the pass (padding and hidden keys would count in the kernel's maximum).
  private var scoresFindMaxima: Bool {
    guard case .packed = operands else { return false }
    return problem.bias == nil && problem.scale > 0 && problem.scale.isFinite
  }

  /// Runs rows `start..<start + count` over key tiles `tiles`, starting from the state in
  /// `acc [count, ldo]`, `runningMax [count]`, `runningSum [count]`, using `s [count, lds]` and
  /// `tileMax [count, kernels.lanes]` as scratch.
  package func accumulate(
    start: Int, count: Int, tiles: Range<Int>, s: UnsafeMutablePointer<Float>,
    tileMax: UnsafeMutablePointer<Float>, acc: UnsafeMutablePointer<Float>,
    runningMax: UnsafeMutablePointer<Float>, runningSum: UnsafeMutablePointer<Float>
  ) {
    let shape = problem.shape
    let (nk, dk) = (shape.keys, shape.headDim)
    let ldo = self.ldo
    let visible = visibleKeys(start: start, count: count)
    let kernels = self.kernels
    let (panelKeys, lanes, scale) = (self.panelKeys, kernels.lanes, problem.scale)
    let findsMaxima = scoresFindMaxima
    let q = queries + start * dk
    for t in tiles {
      let tileStart = t * tileKeys
      let tileEnd = min(tileStart + tileKeys, nk)
      let from = max(tileStart, visible.lowerBound)
      let to = min(tileEnd, visible.upperBound)
      guard from < to else { continue }  // no row of the block sees this tile
      let firstPanel = (from - tileStart) / panelKeys
      let lastPanel = (to - tileStart + panelKeys - 1) / panelKeys
      let offset = firstPanel * panelKeys
      let width = min(tileEnd - tileStart, lastPanel * panelKeys) - offset
      let folds = findsMaxima && width % panelKeys == 0
      switch operands {
      case .packed(let keys):
        if folds { tileMax.update(repeating: -.infinity, count: count * lanes) }
        for p in firstPanel..<lastPanel {
          let panel = keys.panel(tile: t, p)
          kernels.scores(q, dk, count, panel, dk, s + p * panelKeys, lds, folds ? tileMax : nil)
        }
      case .bfloat16(let rows, let keys):
        for p in firstPanel..<lastPanel {
          let panel = keys.panel(tile: t, p)
          let step = Int(ATTUNE_BF16_SCORE_ROWS)
          for r in stride(from: 0, to: count, by: step) {
            attune_bf16_scores(
              rows.row(start + r), keys.pairs, Int32(min(step, count - r)), panel, keys.pairs,
              s + r * lds + p * panelKeys, lds)
          }
        }
      case .direct:
        let from = tileStart + offset
        DirectScores.compute(
          q: q, rows: count, k: problem.kBase + from * dk, keys: width,
          followingKeys: nk - from - width, dk: dk, s: s + offset, lds: lds, kernels: kernels)
      }
      let first = tileStart + offset
      for r in 0..<count {
        let row = s + r * lds + offset
        // The keys this row sees: `before..<after` of the tile's `width` (a contiguous run).
        var (before, after) = (0, width)
        if !problem.mask.isNone {
          let allowed = problem.allowedKeys(row: start + r)
          before = min(max(allowed.lowerBound - first, 0), width)
          after = max(min(allowed.upperBound - first, width), before)
        }
        let rowMax: Float
        let expScale: Float
        if folds && before == 0 && after == width {
          // The kernel's maximum of the raw scores, scaled (rounding is monotonic).
          var best = -Float.infinity
          for lane in 0..<lanes where tileMax[r * lanes + lane] > best {
            best = tileMax[r * lanes + lane]
          }
          (rowMax, expScale) = (best * scale, scale)
        } else {
          // Scaled (and biased) in place, the seen keys only; the others hidden after scaling,
          // so that a negative scale cannot turn them into +∞.
          rowMax = kernels.scaleMax(
            row + before, problem.biasRow(start + r).map { $0 + first + before },
            after - before, scale)
          if before > 0 { row.update(repeating: -.infinity, count: before) }
          if after < width { (row + after).update(repeating: -.infinity, count: width - after) }
          expScale = 1
        }
        let newMax = max(runningMax[r], rowMax)
        guard newMax > -.infinity else {
          // Every score so far is −∞ (or NaN): nothing to add. Hidden keys become 0 (−∞ · 0
          // would be NaN); a NaN stays NaN, so a NaN input still poisons only its own row.
          for j in 0..<width { row[j] = row[j] == -.infinity ? 0 : row[j] * 0 }
          continue
        }
        // The tile's exponentials are taken against the new maximum: its factor is 1.
        let tileSum = kernels.expSum(row, width, newMax, expScale)
        let (keep, _) = OnlineSoftmax.merge(
          max: &runningMax[r], sum: &runningSum[r], otherMax: newMax, otherSum: tileSum)
        if keep != 1 { kernels.multiply(acc + r * ldo, ldo, keep) }
      }
      kernels.products(
        s + offset, lds, count, values.base + first * ldo, ldo, width, ldo, acc, ldo,
        streamsValues)
    }
  }

  /// Writes `O` rows `start..<start + count` (and their log-sum-exp) from a finished state.
  package func finish(
    start: Int, count: Int, acc: UnsafePointer<Float>, runningMax: UnsafePointer<Float>,
    runningSum: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
  ) {
    let dv = problem.shape.valueDim
    for r in 0..<count {
      let sum = runningSum[r]
      let inverse: Float = sum > 0 ? 1 / sum : 0  // a row that sees no key gives zeros
      let out = output + (start + r) * dv
      let row = acc + r * ldo
      for c in 0..<dv { out[c] = row[c] * inverse }
      if let lse = problem.logSumExp {
        lse[start + r] =
          sum > 0 ? runningMax[r] + Float(Platform.log(Double(sum))) : sum * 0 - .infinity
      }
    }
  }
}
