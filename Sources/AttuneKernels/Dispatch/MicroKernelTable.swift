internal import _AttuneMicroKernels

/// One instruction set's micro-kernels and the tile geometry the drivers must walk them with, in
/// the manner of MLAS's platform table and BLIS's context: the drivers (`FusedTileWalker`,
/// `SIMDAttention`, `DirectScores`, packing) read every size from here and name no vector width.
///
/// Entries: `avx512f 8x32` and `avx2-fma 6x16` (x86-64), `neon 8x12` (arm64), all in C with
/// per-function `target` attributes (`_AttuneMicroKernels`), and `portable 4x32` in Swift SIMD.
/// `current` is chosen once per process: `ATTUNE_ISA` when set and runnable, else the best entry
/// this CPU runs.
package struct MicroKernelTable: @unchecked Sendable {
  /// `s[r][j] = Σ_c q[r][c] · panel[c][j]`, and each row's largest score folded into `row_max
  /// [rows, lanes]` when it is not nil: see `attune_f32_scores_fn`.
  package typealias Scores =
    @convention(c) (
      UnsafePointer<Float>?, Int, Int, UnsafePointer<Float>?, Int, UnsafeMutablePointer<Float>?,
      Int, UnsafeMutablePointer<Float>?
    ) -> Void
  /// `acc[r][c] += Σ_j p[r][j] · v[j][c]`: see `attune_f32_products_fn`.
  package typealias Products =
    @convention(c) (
      UnsafePointer<Float>?, Int, Int, UnsafePointer<Float>?, Int, Int, Int,
      UnsafeMutablePointer<Float>?, Int, Int32
    ) -> Void
  /// `acc[r][c] += Σ_j p[j][r] · v[j][c]`, P transposed: see `attune_f32_products_t_fn`.
  package typealias ProductsTransposed =
    @convention(c) (
      UnsafePointer<Float>?, Int, Int, UnsafePointer<Float>?, Int, Int, Int,
      UnsafeMutablePointer<Float>?, Int
    ) -> Void
  /// The backward's scores to score gradients on a tile: see `attune_f32_softmax_backward_fn`.
  package typealias SoftmaxBackward =
    @convention(c) (
      UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int, Int, Int,
      UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?
    ) -> Void
  /// Decode scores with K read in place: see `attune_f32_decode_fn`.
  package typealias Decode =
    @convention(c) (
      UnsafePointer<Float>?, Int, Int32, UnsafePointer<Float>?, Int, Int, Int,
      UnsafeMutablePointer<Float>?, Int
    ) -> Void
  /// Scale (and bias) in place, return the maximum: see `attune_f32_scale_max_fn`.
  package typealias ScaleMax =
    @convention(c) (
      UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, Int, Float
    ) -> Float
  /// `e^(x · scale − max)` in place, return the sum: see `attune_f32_exp_sum_fn`.
  package typealias ExpSum =
    @convention(c) (UnsafeMutablePointer<Float>?, Int, Float, Float) -> Float
  /// Multiply in place: see `attune_f32_multiply_fn`.
  package typealias Multiply = @convention(c) (UnsafeMutablePointer<Float>?, Int, Float) -> Void
  /// Half-precision rows widened to Float32: see `attune_f16_widen_fn`.
  package typealias WidenHalf =
    @convention(c) (UnsafePointer<UInt16>?, Int, Int, Int, UnsafeMutablePointer<Float>?, Int) ->
    Void
  /// 8-bit rows with a scale per 32 features widened to Float32: see `attune_i8_widen_fn`.
  package typealias WidenInt8 =
    @convention(c) (
      UnsafePointer<Int8>?, Int, UnsafePointer<Float>?, Int, Int, UnsafeMutablePointer<Float>?,
      Int
    ) -> Void

  /// Decode scores from half-precision keys: see `attune_f16_decode_fn`.
  package typealias DecodeHalf =
    @convention(c) (
      UnsafePointer<Float>?, Int, Int32, UnsafePointer<UInt16>?, Int, Int, Int,
      UnsafeMutablePointer<Float>?, Int
    ) -> Void
  /// Decode scores from 8-bit keys with block scales, in groups of `ATTUNE_I8_KEY_GROUP` tokens
  /// along the lanes (the KV cache's layout): see `attune_i8_decode_fn`. The last argument
  /// points to an `attune_lead` (the stream to ask for over the call) or is nil.
  package typealias DecodeInt8 =
    @convention(c) (
      UnsafePointer<Float>?, Int, Int32, UnsafePointer<Int8>?, Int, UnsafePointer<Float>?, Int,
      Int, UnsafeMutablePointer<Float>?, Int, UnsafeRawPointer?
    ) -> Void
  /// Decode products with half-precision values: see `attune_f16_products_fn`.
  package typealias ProductsHalf =
    @convention(c) (
      UnsafePointer<Float>?, Int, Int32, UnsafePointer<UInt16>?, Int, Int, Int,
      UnsafeMutablePointer<Float>?, Int
    ) -> Void
  /// Decode products with 8-bit values and block scales: see `attune_i8_products_fn` (the last
  /// argument as `DecodeInt8`'s).
  package typealias ProductsInt8 =
    @convention(c) (
      UnsafePointer<Float>?, Int, Int32, UnsafePointer<Int8>?, Int, UnsafePointer<Float>?, Int,
      Int, UnsafeMutablePointer<Float>?, Int, UnsafeRawPointer?
    ) -> Void

  /// Calls `body` with a pointer to an `attune_lead` for the 8-bit kernels' last argument:
  /// `rowBytes` bytes from `rows` and `scaleBytes` from `scales`, asked for over the call (never
  /// read or written).
  package static func withLead<R>(
    rows: UnsafeRawPointer?, rowBytes: Int, scales: UnsafeRawPointer?, scaleBytes: Int,
    _ body: (UnsafeRawPointer) throws -> R
  ) rethrows -> R {
    try withUnsafePointer(
      to: attune_lead(rows: rows, row_bytes: rowBytes, scales: scales, scale_bytes: scaleBytes)
    ) { try body(UnsafeRawPointer($0)) }
  }

  /// The instruction set.
  package let instructionSet: InstructionSet
  /// The entry's name and score tile, e.g. `avx2-fma 6x16`.
  package let name: String
  /// Query rows per register tile of `scores` (a call takes any number).
  package let scoreRows: Int
  /// Keys per packed panel (`PackedKeys`), the columns of one `scores` call.
  package let panelKeys: Int
  /// Rows per register tile of `products` (a call takes any number).
  package let productRows: Int
  /// Floats per vector: value rows and accumulators are padded to a multiple of it.
  package let lanes: Int
  /// Query rows per `decode` call.
  package let decodeRows: Int
  /// Keys per step of the `decode` micro-kernel (a call takes any number).
  package let decodeKeys: Int
  /// How many keys ahead of the `decode` micro-kernel `DirectScores` asks for K's rows.
  package let decodeAhead: Int
  /// The fused kernel's default query rows per tile with this table.
  package let defaultBlockQ: Int
  /// The fused kernel's default keys per tile with this table.
  package let defaultBlockK: Int
  package let scores: Scores
  package let products: Products
  package let productsTransposed: ProductsTransposed
  package let softmaxBackward: SoftmaxBackward
  package let decode: Decode
  package let scaleMax: ScaleMax
  package let expSum: ExpSum
  package let multiply: Multiply
  package let widenHalf: WidenHalf
  package let widenInt8: WidenInt8
  /// Decoding straight from 16- and 8-bit rows, where the entry has it (else the cache widens
  /// rows first and uses `decode` and `products`).
  package var decodeHalf: DecodeHalf? = nil
  package var decodeInt8: DecodeInt8? = nil
  package var productsHalf: ProductsHalf? = nil
  package var productsInt8: ProductsInt8? = nil
  /// 0 when `decodeInt8` multiplies the queries as Float32; otherwise the bits it rounds each
  /// query to first, per block of 32 features, for integer dot products (8 on AVX512-VNNI: at
  /// most half of the block's `max|q| / 127` per feature): see
  /// `attune_micro_kernel_entry.decode_i8_query_bits`.
  package var decodeInt8QueryBits = 0
  /// 0 when `productsInt8` weighs the values in Float32; otherwise the most an output moves, as a
  /// fraction of the largest |value|, from its weights rounded to fixed point for integer dot
  /// products (32 / 65534 on AVX512-VNNI: 15 bits per group of 32 keys): see
  /// `attune_micro_kernel_entry.products_i8_weight_bits`.
  package var productsInt8WeightRounding: Double {
    guard productsInt8WeightBits > 0 else { return 0 }
    return Double(productsInt8WeightKeys) / Double(2 * ((1 << productsInt8WeightBits) - 1))
  }
  /// The bits of `productsInt8`'s rounded weights and the keys per group that share a unit.
  package var productsInt8WeightBits = 0
  package var productsInt8WeightKeys = 0

  /// The table every call uses unless it asks for another.
  package static let current: MicroKernelTable = {
    let choice = (try? InstructionSet.environmentChoice.get()) ?? nil
    return entry(choice ?? InstructionSet.best) ?? portable
  }()

  /// The table for `instructionSet`, or for the active one (`ATTUNE_ISA` or the best) when nil.
  ///
  /// - Throws: `AttentionError.unsupportedInstructionSet` if this CPU does not run it;
  ///   `.unknownInstructionSet` if `ATTUNE_ISA` is set to no instruction set's name.
  package static func resolve(_ instructionSet: InstructionSet?) throws(AttentionError)
    -> MicroKernelTable
  {
    guard let instructionSet else {
      // A bad `ATTUNE_ISA` is an error here, not a fallback.
      _ = try InstructionSet.environmentChoice.get()
      return current
    }
    guard let table = entry(instructionSet) else {
      throw .unsupportedInstructionSet(
        name: instructionSet.rawValue, supported: InstructionSet.supported.map(\.rawValue))
    }
    return table
  }

  /// Every table this CPU runs, best first.
  package static var runnable: [MicroKernelTable] {
    InstructionSet.supported.compactMap(entry)
  }

  /// The table for `instructionSet` if this CPU runs it.
  package static func entry(_ instructionSet: InstructionSet) -> MicroKernelTable? {
    switch instructionSet {
    case .portable: return portable
    case .avx2: return native[0]
    case .avx512: return native[1]
    case .neon: return native[2]
    }
  }

  /// The C entries, read once: nil where this build has none or this CPU cannot run it.
  private static let native: [MicroKernelTable?] = [
    (InstructionSet.avx2, ATTUNE_ISA_AVX2_FMA), (.avx512, ATTUNE_ISA_AVX512F),
    (.neon, ATTUNE_ISA_NEON),
  ].map { (instructionSet, isa) in
    guard attune_isa_supported(isa), let entry = attune_micro_kernels(isa)?.pointee else {
      return nil
    }
    return MicroKernelTable(instructionSet, entry)
  }

  /// The table of a C entry.
  private init(_ instructionSet: InstructionSet, _ entry: attune_micro_kernel_entry) {
    guard let scores = entry.scores, let products = entry.products,
      let productsTransposed = entry.products_t, let softmaxBackward = entry.softmax_backward,
      let decode = entry.decode, let scaleMax = entry.scale_max, let expSum = entry.exp_sum,
      let multiply = entry.multiply, let widenHalf = entry.widen_f16,
      let widenInt8 = entry.widen_i8
    else { preconditionFailure("a micro-kernel entry lacks a function") }
    self.init(
      instructionSet: instructionSet,
      name: "\(String(cString: entry.name)) \(entry.score_rows)x\(entry.panel_keys)",
      scoreRows: Int(entry.score_rows), panelKeys: Int(entry.panel_keys),
      productRows: Int(entry.product_rows), lanes: Int(entry.lanes),
      decodeRows: Int(entry.decode_rows), decodeKeys: Int(entry.decode_keys),
      decodeAhead: Int(entry.decode_ahead),
      defaultBlockQ: Int(entry.default_block_q), defaultBlockK: Int(entry.default_block_k),
      scores: scores, products: products, productsTransposed: productsTransposed,
      softmaxBackward: softmaxBackward, decode: decode, scaleMax: scaleMax, expSum: expSum,
      multiply: multiply, widenHalf: widenHalf, widenInt8: widenInt8)
    decodeHalf = entry.decode_f16
    decodeInt8 = entry.decode_i8
    productsHalf = entry.products_f16
    productsInt8 = entry.products_i8
    decodeInt8QueryBits = Int(entry.decode_i8_query_bits)
    productsInt8WeightBits = Int(entry.products_i8_weight_bits)
    productsInt8WeightKeys = Int(entry.products_i8_weight_keys)
  }

  /// A table from its parts (the portable entry's, in Swift).
  package init(
    instructionSet: InstructionSet, name: String, scoreRows: Int, panelKeys: Int,
    productRows: Int, lanes: Int, decodeRows: Int, decodeKeys: Int, decodeAhead: Int,
    defaultBlockQ: Int, defaultBlockK: Int, scores: Scores,
    products: Products, productsTransposed: ProductsTransposed, softmaxBackward: SoftmaxBackward,
    decode: Decode, scaleMax: ScaleMax, expSum: ExpSum, multiply: Multiply,
    widenHalf: WidenHalf, widenInt8: WidenInt8
  ) {
    self.instructionSet = instructionSet
    self.name = name
    self.scoreRows = scoreRows
    self.panelKeys = panelKeys
    self.productRows = productRows
    self.lanes = lanes
    self.decodeRows = decodeRows
    self.decodeKeys = decodeKeys
    self.decodeAhead = decodeAhead
    self.defaultBlockQ = defaultBlockQ
    self.defaultBlockK = defaultBlockK
    self.scores = scores
    self.products = products
    self.productsTransposed = productsTransposed
    self.softmaxBackward = softmaxBackward
    self.decode = decode
    self.scaleMax = scaleMax
    self.expSum = expSum
    self.multiply = multiply
    self.widenHalf = widenHalf
    self.widenInt8 = widenInt8
  }

  /// `count` rounded up to whole panels.
  @inline(__always)
  package func roundedToPanels(_ count: Int) -> Int {
    (count + panelKeys - 1) / panelKeys * panelKeys
  }

  /// `count` rounded up to whole vectors.
  @inline(__always)
  package func roundedToLanes(_ count: Int) -> Int {
    (count + lanes - 1) / lanes * lanes
  }
}
