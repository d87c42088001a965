extension AttentionProblem {
  /// A problem over validated buffers with `options`' scale, mask, instruction set and score
  /// precision, and `bias`: the set-up shared by the forward and backward entry points.
  ///
  /// - Parameters:
  ///   - q: Queries `[Nq, dk]`.
  ///   - k: Keys `[Nk, dk]`.
  ///   - v: Values `[Nk, dv]`.
  ///   - shape: The sizes.
  ///   - options: Scale, mask, instruction set and score precision.
  ///   - bias: `[queryPositions, Nk]`, or `[Nk]` shared by every row when heads are stacked.
  ///   - queryPositions: Query positions per head (`Nq` unless heads are stacked); divides `Nq`.
  /// - Returns: The problem, with no log-sum-exp output.
  /// - Throws: `AttentionError` for a buffer of the wrong length, an empty dimension, a scale
  ///   that is not finite, an invalid mask, an instruction set this CPU lacks, a bias of the
  ///   wrong length.
  package static func configured(
    q: UnsafeBufferPointer<Float>, k: UnsafeBufferPointer<Float>, v: UnsafeBufferPointer<Float>,
    shape: AttentionShape, options: AttentionOptions, bias: UnsafeBufferPointer<Float>?,
    queryPositions: Int
  ) throws(AttentionError) -> AttentionProblem {
    var problem = try AttentionProblem(
      q: q, k: k, v: v, shape: shape, scale: options.scale ?? shape.defaultScale)
    precondition(queryPositions >= 1 && shape.queries % queryPositions == 0)
    problem.queryPositions = queryPositions
    try options.mask.validate()
    problem.mask = options.mask
    problem.microKernels = try MicroKernelTable.resolve(options.instructionSet)
    problem.scoreArithmetic = ScoreArithmetic(
      options.scorePrecision, kernels: problem.microKernels)
    if let bias {
      // A row per query position, or one row that every query shares (as PyTorch broadcasts a
      // padding mask [B, 1, 1, Nk]).
      let shared = bias.count == shape.keys && queryPositions > 1
      guard bias.count == queryPositions &* shape.keys || shared, let base = bias.baseAddress
      else {
        throw .shapeMismatch(
          tensor: "bias", expected: queryPositions &* shape.keys, actual: bias.count)
      }
      problem.bias = base
      problem.biasRowStride = shared ? 0 : shape.keys
    }
    return problem
  }
}
