/// The report's exhaustive grid, implemented as it describes.
///
/// Round 1 measures every candidate twice (a standard deviation needs two values); every later
/// round measures every candidate once. After each round, the candidate with the lowest mean is
/// tested against each other one with Welch's t-test; the run stops when it is significantly
/// faster than all of them at `confidence` (two-sided).
///
/// Its known weaknesses, kept on purpose: the tests are repeated after every round and across all
/// candidates with no correction, so false stops accumulate; with candidates that are truly tied
/// it never stops before the budget; means and t-tests assume normal noise, which timings are not.
package struct GridSearch: TuningStrategy {
  /// The confidence level of each t-test (the report's 0.95).
  package var confidence: Double

  /// The report's grid at `confidence`.
  package init(confidence: Double = 0.95) { self.confidence = confidence }

  /// `"grid"`.
  package var name: String { "grid" }

  /// Runs the grid.
  package func tune<Target: TuningTarget>(_ target: Target, budget: TuningBudget, seed: UInt64)
    -> TuningOutcome
  {
    var run = TuningRun(target, budget: budget)
    run.measureEveryCandidateTwice()
    while true {
      let usable = run.usable
      guard let best = run.lowestMean else { break }
      let significant = usable.allSatisfy { other in
        guard other != best, let test = run.welch(best, other) else { return other == best }
        return test.pTwoSided < 1 - confidence && run.mean(best) < run.mean(other)
      }
      if significant {
        return run.outcome(
          strategy: name, choice: best,
          confidence:
            "\(run.target.label(best)) is faster than each other candidate by Welch's t-test at \(Int(confidence * 100)) % (\(usable.count - 1) tests after each of \(run.round) rounds, uncorrected)",
          converged: true, claim: .best)
      }
      guard run.canMeasure() else { break }
      run.round += 1
      for candidate in usable { run.measure(candidate) }
    }
    let best = run.lowestMean
    return run.outcome(
      strategy: name, choice: best,
      confidence: "budget reached before any candidate was significantly faster than all others",
      converged: false, claim: .none)
  }
}
