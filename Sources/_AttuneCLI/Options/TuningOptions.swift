import ArgumentParser
import AttuneKernels
import AttuneTuner

/// What to tune: a kernel, a shape, the block sizes to try, a budget.
struct TuningOptions: ParsableArguments {
  private enum CodingKeys: String, CodingKey {
    case kernel, n, d, candidates, threads, epsilon, delta, budgetMeasurements, budgetSeconds
    case candidateLimitSeconds
  }

  @Option(help: "Kernel whose block size is tuned (blocked, parallel, simd, fused).")
  var kernel = "fused"

  @Option(help: "Matrix size N (Nq = Nk = N; default 2048 for tune, 1024 for duel).")
  var n: Int?

  @Option(help: "Head dimension d.")
  var d = 64

  @Option(
    help: "Candidate block sizes, comma-separated (default: the seed report's 64…512, up to N).")
  var candidates: String?

  @Option(help: "Worker threads (default: active processors).")
  var threads: Int?

  @Option(help: "Indifference margin ε of the race, relative.")
  var epsilon = 0.01

  @Option(help: "Error level δ of the race.")
  var delta = 0.05

  @Option(help: "Most measurements per tuning run, 1 to 10⁷ (default 5000 for tune, 500 for duel).")
  var budgetMeasurements: Int?

  @Option(help: "Most seconds per tuning run (at most a week).")
  var budgetSeconds = 600.0

  @Option(
    help:
      "Drop a candidate whose call takes longer than this many seconds (default: none; the race drops one whose first call is over 10× the fastest first call)."
  )
  var candidateLimitSeconds: Double?

  /// Defaults that differ between `tune` (one careful run) and `duel` (many quick ones).
  var defaults = (n: 2048, measurements: 5000)

  var size: Int { n ?? defaults.n }

  var budget: TuningBudget {
    TuningBudget(
      measurements: budgetMeasurements ?? defaults.measurements, seconds: budgetSeconds,
      candidateSeconds: candidateLimitSeconds)
  }

  var shape: AttentionShape { .square(tokens: size, headDim: d) }

  /// The kernel's tunable block parameter.
  func blockParameter() throws -> String {
    let descriptor: KernelDescriptor
    do throws(AttentionError) { descriptor = try KernelCatalog.descriptor(named: kernel) } catch {
      throw ValidationError(error.description)
    }
    guard let block = BlockCandidates.parameter(of: descriptor) else {
      throw ValidationError("the \(kernel) kernel has no block size to tune")
    }
    return block
  }

  /// The candidate kernels and their labels.
  func candidateKernels() throws -> (kernels: [any AttentionKernel], labels: [String]) {
    try OptionLimits.dimension(size, "--n")
    try OptionLimits.dimension(d, "--d")
    _ = try blockParameter()
    let sizes =
      try candidates.map { try ListParsing.positiveIntegers($0, flag: "--candidates") }
      ?? BlockCandidates.reportSizes.filter { $0 <= size }
    let unique = sizes.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
    guard !unique.isEmpty else {
      throw ValidationError("no candidate block size is at most N = \(size); give --candidates")
    }
    do throws(AttentionError) {
      return try BlockCandidates.kernels(
        kernel, sizes: unique, fixed: threads.map { ["threads": $0] } ?? [:])
    } catch {
      throw ValidationError(error.description)
    }
  }

  func validate() throws {
    _ = try candidateKernels()
    guard epsilon >= 0, epsilon < 1 else { throw ValidationError("--epsilon must lie in [0, 1)") }
    guard delta > 0, delta < 1 else { throw ValidationError("--delta must lie in (0, 1)") }
    if let limit = candidateLimitSeconds {
      try OptionLimits.seconds(limit, "--candidate-limit-seconds")
    }
    if let budgetMeasurements {
      try OptionLimits.count(budgetMeasurements, "--budget-measurements", 1...10_000_000)
    }
    try OptionLimits.seconds(budgetSeconds, "--budget-seconds")
  }
}
