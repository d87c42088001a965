/// FlashAttention-2's backward pass (Dao, "FlashAttention-2", 2023, algorithm 2): for each tile
/// of `blockK` keys, every tile of `blockQ` query rows that sees it recomputes its scores and
/// `P = e^(S − L)` from the forward's log-sum-exp `L`, then `dV_j += Pᵀ · dO_i`,
/// `dP = dO_i · V_jᵀ`, `dS = P ∘ (dP − D_i)`, `dK_j += dSᵀ · Q_i` and `dQ_i += dS · K_j` (both
/// times the scale at the end). The `Nq × Nk` matrices never exist.
///
/// Workers take key tiles, so each owns its tile's `dK` and `dV`; `dQ`, which every key tile adds
/// to, is summed in one partial per worker (when there are several) and the partials added
/// together at the end (no two threads write the same row). Everything per element runs on the
/// micro-kernels of the CPU's table: `S` and `dP` on the score kernel over K and V packed in
/// panels; `P` and `dS` in one pass (`softmaxBackward`); `dV` and `dK` on the product kernel that
/// reads its left operand transposed (`productsTransposed`, so `P` and `dS` are never copied),
/// `dQ` on the product kernel. Tiles that no row of a query tile may see are skipped.
///
/// When dk is a multiple of the table's lanes, dK and dQ are summed in the caller's arrays (no
/// accumulator to copy out); likewise dV when dv is.
///
/// - Complexity: O(Nq · Nk · (dk + dv)) time, less with a mask. Memory beyond inputs and
///   gradients: packed K and V (`Nk · (dk + dv)` floats rounded up to whole panels), the rows'
///   `D` (`Nq` floats), per worker a partial dQ (`Nq · dk` floats, none with one worker) and its
///   tiles (`2 · blockQ · blockK + 2 · blockQ` floats); when dk is not a multiple of the table's
///   lanes, padded copies of Q and K, the summed dQ and a dK accumulator per worker
///   (`(2 · Nq + Nk + blockK) · dk` floats, padded); when dv is not, a padded copy of dO and a
///   dV accumulator per worker (`(Nq + blockK) · dv`): O((Nq + Nk) · d · threads), never
///   O(Nq · Nk).
public struct FusedBackward: AttentionBackwardKernel {
  /// Query rows per tile.
  public let blockQ: Int
  /// Keys per tile.
  public let blockK: Int
  /// Worker threads.
  public let threads: Int

  /// Creates the kernel with its defaults: tiles of 96 × 96, as many threads as active
  /// processors. 96 is the least common multiple of every table's row and key counts (AVX-512:
  /// scores 8 × 32, products 4 rows; AVX2: 6 × 16 and 6; NEON: 8 × 12 and 6), so no table runs a
  /// partial register tile or panel inside a tile; 64 left AVX2 a 4-row tile in each of its
  /// products and score passes, and NEON a partial panel.
  public init() {
    blockQ = Self.parameters[0].defaultValue
    blockK = Self.parameters[1].defaultValue
    threads = Self.parameters[2].defaultValue
  }

  /// Creates the kernel.
  ///
  /// - Throws: `AttentionError.invalidParameter` if a value is out of range (block sizes 1 to
  ///   65536, threads 1 to 256).
  public init(blockQ: Int, blockK: Int, threads: Int = Self.parameters[2].defaultValue)
    throws(AttentionError)
  {
    self.blockQ = try Self.parameters[0].checked(blockQ, kernel: "fused backward")
    self.blockK = try Self.parameters[1].checked(blockK, kernel: "fused backward")
    self.threads = try Self.parameters[2].checked(threads, kernel: "fused backward")
  }

  /// `blockQ`, `blockK` and `threads`.
  public static let parameters = [
    KernelParameter(
      name: "blockQ", summary: "query rows per tile", defaultValue: 96, range: 1...(1 << 16)),
    KernelParameter(
      name: "blockK", summary: "keys per tile", defaultValue: 96, range: 1...(1 << 16)),
    .threads,
  ]

  /// `"fused"`.
  public var name: String { "fused" }

  /// Packed K and V, padded copies, the rows' `D`, the summed dQ, and per worker a partial dQ and
  /// its tiles: what `computeGradients` holds at once (on one thread exactly the peak an
  /// `AllocationTracker` measures, as `MemoryAccountingTests` checks).
  public func scratchBytes(for shape: AttentionShape) -> Int {
    let kernels = MicroKernelTable.current
    let (nq, nk, dk, dv) = (shape.queries, shape.keys, shape.headDim, shape.valueDim)
    let bq = min(blockQ, nq)
    let bk = min(blockK, nk)
    let dkp = kernels.roundedToLanes(dk)
    let dvp = kernels.roundedToLanes(dv)
    let bytes = AlignedBuffer.bytes
    let packed =
      bytes(
        PackedKeys.floatCount(keys: nk, headDim: dk, tileKeys: bk, panelKeys: kernels.panelKeys))
      &+ bytes(
        PackedKeys.floatCount(keys: nk, headDim: dv, tileKeys: bk, panelKeys: kernels.panelKeys))
    // Padded Q and K and the summed dQ; padded dO.
    let paddedKeyBytes = dkp == dk ? 0 : bytes(nq &* dkp) &* 2 &+ bytes(nk &* dkp)
    let padded = paddedKeyBytes &+ (dvp == dv ? 0 : bytes(nq &* dvp))
    let workers = min(threads, max(1, (nk + bk - 1) / bk))
    let lds = kernels.roundedToPanels(bk)
    let perWorker =
      (workers > 1 ? bytes(nq &* dkp) : 0)
      &+ bytes(
        Self.tileFloats(
          bq: bq, bk: bk, lds: lds, accumulatorK: dkp == dk ? 0 : dkp,
          accumulatorV: dvp == dv ? 0 : dvp))
    return packed &+ padded &+ bytes(nq) &+ workers &* perWorker
  }

  /// Floats of one worker's tiles: `S`/`P` and `dP`/`dS` (`bq × lds` each), the key tile's dK
  /// and dV accumulators (`bk` rows of `accumulatorK` and `accumulatorV` floats: 0 when the
  /// gradient is summed in the caller's array), and a factor and a shift per row.
  static func tileFloats(bq: Int, bk: Int, lds: Int, accumulatorK: Int, accumulatorV: Int) -> Int {
    2 &* bq &* lds &+ bk &* (accumulatorK &+ accumulatorV) &+ 2 &* bq
  }

  /// Computes the three gradients; see `AttentionBackwardKernel`.
  public func computeGradients(
    _ problem: BackwardProblem, dq: UnsafeMutablePointer<Float>,
    dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>
  ) {
    let forward = problem.forward
    let kernels = forward.microKernels
    let shape = forward.shape
    let (nq, nk, dkw, dvw) = (shape.queries, shape.keys, shape.headDim, shape.valueDim)
    let bq = min(blockQ, nq)
    let bk = min(blockK, nk)
    let keyTiles = (nk + bk - 1) / bk
    let workers = min(threads, keyTiles)
    let lds = kernels.roundedToPanels(bk)
    // The score kernel's right operands: K and V in panels. The product kernel's: Q, K and dO
    // with rows padded to whole vectors.
    let packedK = PackedKeys(
      rows: forward.kBase, count: nk, width: dkw, tileKeys: bk, panelKeys: kernels.panelKeys,
      threads: threads, for: forward)
    let packedV = PackedKeys(
      rows: forward.vBase, count: nk, width: dvw, tileKeys: bk, panelKeys: kernels.panelKeys,
      threads: threads, for: forward)
    let lanes = kernels.lanes
    let paddedQ = PaddedValues(
      rows: forward.qBase, count: nq, width: dkw, lanes: lanes, for: forward)
    let paddedK = PaddedValues(
      rows: forward.kBase, count: nk, width: dkw, lanes: lanes, for: forward)
    let paddedDO = PaddedValues(
      rows: problem.gradOutput, count: nq, width: dvw, lanes: lanes, for: forward)
    let (dkp, dvp) = (paddedQ.stride, paddedDO.stride)
    // Unpadded gradients are summed where the caller wants them; padded ones in scratch first.
    let (keysInPlace, valuesInPlace) = (dkp == dkw, dvp == dvw)
    let d = problem.rowDots()
    let totalDQ = keysInPlace ? nil : AlignedBuffer(count: nq * dkp, for: forward)
    if keysInPlace { dq.update(repeating: 0, count: nq * dkw) }
    let sharedDQ = SharedOutput(
      UnsafeMutableBufferPointer(start: totalDQ?.base ?? dq, count: nq * dkp))
    let gradK = SharedOutput(UnsafeMutableBufferPointer(start: dk, count: nk * dkw))
    let gradV = SharedOutput(UnsafeMutableBufferPointer(start: dv, count: nk * dvw))
    let plain = forward.mask.isNone && forward.bias == nil
    // One worker adds straight into the sum; several keep a partial dQ each.
    let merge = workers > 1 ? Lock() : nil
    WorkQueue.run(items: keyTiles, threads: workers) { queue in
      let partial = merge == nil ? nil : AlignedBuffer(count: nq * dkp, for: forward)
      let partialDQ = partial?.base ?? sharedDQ.base
      let tiles = AlignedBuffer(
        count: Self.tileFloats(
          bq: bq, bk: bk, lds: lds, accumulatorK: keysInPlace ? 0 : dkp,
          accumulatorV: valuesInPlace ? 0 : dvp),
        for: forward, zeroed: false)
      let p = tiles.base  // [bq, lds]: S, then P
      let ds = p + bq * lds  // [bq, lds]: dP, then dS
      let rowScale = ds + bq * lds  // [bq]: the factor of each row's scores
      let rowShift = rowScale + bq  // [bq]: each row's log-sum-exp
      let scratchK = rowShift + bq  // [bk, dkp] unless keysInPlace
      let scratchV = scratchK + (keysInPlace ? 0 : bk * dkp)  // [bk, dvp] unless valuesInPlace
      while let t = queue.take() {
        let k0 = t * bk
        let kn = min(bk, nk - k0)
        let accK = keysInPlace ? gradK.base + k0 * dkw : scratchK
        let accV = valuesInPlace ? gradV.base + k0 * dvw : scratchV
        accK.update(repeating: 0, count: kn * dkp)
        accV.update(repeating: 0, count: kn * dvp)
        for q0 in stride(from: 0, to: nq, by: bq) {
          let qn = min(bq, nq - q0)
          guard plain || Self.anyRowSees(forward, rows: q0..<(q0 + qn), keys: k0..<(k0 + kn)) else {
            continue
          }
          // S = Q_i · K_jᵀ and dP = dO_i · V_jᵀ, panel by panel.
          for panel in 0..<packedK.panelsPerTile where panel * kernels.panelKeys < kn {
            kernels.scores(
              forward.qBase + q0 * dkw, dkw, qn, packedK.panel(tile: t, panel), dkw,
              p + panel * kernels.panelKeys, lds, nil)
            kernels.scores(
              problem.gradOutput + q0 * dvw, dvw, qn, packedV.panel(tile: t, panel), dvw,
              ds + panel * kernels.panelKeys, lds, nil)
          }
          Self.prepareRows(
            problem, rows: q0..<(q0 + qn), keys: k0..<(k0 + kn), plain: plain, scores: p,
            lds: lds, scale: rowScale, shift: rowShift, kernels: kernels)
          // P = e^(S · scale − L), dS = P ∘ (dP − D).
          kernels.softmaxBackward(p, ds, lds, qn, kn, rowScale, rowShift, d.base + q0)
          // dV_j += Pᵀ · dO_i, dK_j += dSᵀ · Q_i (P and dS read transposed), dQ_i += dS · K_j.
          kernels.productsTransposed(p, lds, kn, paddedDO.base + q0 * dvp, dvp, qn, dvp, accV, dvp)
          kernels.productsTransposed(ds, lds, kn, paddedQ.base + q0 * dkp, dkp, qn, dkp, accK, dkp)
          kernels.products(
            ds, lds, qn, paddedK.base + k0 * dkp, dkp, kn, dkp, partialDQ + q0 * dkp, dkp, 0)
        }
        kernels.multiply(accK, kn * dkp, forward.scale)
        if !keysInPlace {
          Self.copyRows(accK, stride: dkp, rows: kn, width: dkw, to: gradK.base + k0 * dkw)
        }
        if !valuesInPlace {
          Self.copyRows(accV, stride: dvp, rows: kn, width: dvw, to: gradV.base + k0 * dvw)
        }
      }
      if let partial {
        merge?.withLock {
          for i in 0..<(nq * dkp) { sharedDQ.base[i] += partial.base[i] }
        }
      }
    }
    kernels.multiply(sharedDQ.base, nq * dkp, forward.scale)
    if let totalDQ { Self.copyRows(totalDQ.base, stride: dkp, rows: nq, width: dkw, to: dq) }
  }

  /// Each row's factor and shift for `softmaxBackward` on a tile: rows that see every key of
  /// the tile and have no bias keep their scores as the score kernel wrote them (factor: the
  /// scale; shift: the log-sum-exp). Others are scaled and biased here, their hidden keys set to
  /// −∞ after scaling (a negative scale would turn −∞ into +∞), factor 1; a row that sees no key
  /// of the tile, or none at all (log-sum-exp −∞), becomes −∞ with shift 0, so its P and dS are 0.
  /// `plain`: the problem has neither mask nor bias, so a row with a finite log-sum-exp needs no
  /// look at the mask (whose row arithmetic divides).
  ///
  /// - Complexity: O(rows) for unmasked rows without a bias, O(rows · keys) at worst.
  static func prepareRows(
    _ problem: BackwardProblem, rows: Range<Int>, keys: Range<Int>, plain: Bool,
    scores: UnsafeMutablePointer<Float>, lds: Int, scale: UnsafeMutablePointer<Float>,
    shift: UnsafeMutablePointer<Float>, kernels: MicroKernelTable
  ) {
    let forward = problem.forward
    for (r, row) in rows.enumerated() {
      let s = scores + r * lds
      let lse = problem.logSumExp[row]
      if plain && lse > -.infinity {
        (scale[r], shift[r]) = (forward.scale, lse)
        continue
      }
      let allowed = forward.allowedKeys(row: row).clamped(to: keys)
      guard lse > -.infinity, !allowed.isEmpty else {
        s.update(repeating: -.infinity, count: keys.count)
        (scale[r], shift[r]) = (1, 0)
        continue
      }
      shift[r] = lse
      let bias = forward.biasRow(row)
      guard bias != nil || allowed != keys else {
        scale[r] = forward.scale
        continue
      }
      _ = kernels.scaleMax(s, bias.map { $0 + keys.lowerBound }, keys.count, forward.scale)
      let before = allowed.lowerBound - keys.lowerBound
      let after = allowed.upperBound - keys.lowerBound
      if before > 0 { s.update(repeating: -.infinity, count: before) }
      if after < keys.count { (s + after).update(repeating: -.infinity, count: keys.count - after) }
      scale[r] = 1
    }
  }

  /// `rows` rows of `width` floats from `source` (rows `stride` apart) to `target` (packed): a
  /// padded accumulator's rows out to the caller's gradient (unpadded ones are summed in place).
  static func copyRows(
    _ source: UnsafePointer<Float>, stride: Int, rows: Int, width: Int,
    to target: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows { (target + r * width).update(from: source + r * stride, count: width) }
  }

  /// Whether some row of `rows` may see some key of `keys` (the mask's ranges; a bias may hide
  /// more, which the exponentials then make zero).
  static func anyRowSees(_ problem: AttentionProblem, rows: Range<Int>, keys: Range<Int>) -> Bool {
    rows.contains { !problem.allowedKeys(row: $0).clamped(to: keys).isEmpty }
  }
}
