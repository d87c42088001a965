/// The report's adaptive probabilistic benchmark, implemented as it describes.
///
/// Round 1 measures every candidate twice. It then keeps a current best. Each round, for every
/// challenger it takes `1 − p` from Welch's one-sided test of "the challenger is faster" as the
/// probability that it is; if the highest such probability exceeds `pSwitch`, that challenger
/// becomes the best. Challengers whose probability is above `plausibility` are measured once
/// more, and the best `extraRepeatsBest` times; the run stops when no challenger is plausible.
/// So the measurements per round shrink as candidates drop out (the report's Graph 2).
///
/// Its known weaknesses, kept on purpose: `1 − p` is not the probability that a challenger is
/// faster; with two values each the Welch degrees of freedom are about 1; tied candidates stay
/// plausible for ever, so it runs to the budget; switching on 0.7 lets noise move the best.
package struct AdaptiveSearch: TuningStrategy {
  /// Switch the best when a challenger's probability exceeds this (the report's 0.7).
  package var pSwitch: Double
  /// A challenger stays in play while its probability exceeds this (the report's 5 %).
  package var plausibility: Double
  /// Measurements of the current best each round.
  package var extraRepeatsBest: Int

  /// The report's adaptive method.
  package init(pSwitch: Double = 0.7, plausibility: Double = 0.05, extraRepeatsBest: Int = 1) {
    self.pSwitch = pSwitch
    self.plausibility = plausibility
    self.extraRepeatsBest = extraRepeatsBest
  }

  /// `"adaptive"`.
  package var name: String { "adaptive" }

  /// Runs the adaptive method.
  package func tune<Target: TuningTarget>(_ target: Target, budget: TuningBudget, seed: UInt64)
    -> TuningOutcome
  {
    var run = TuningRun(target, budget: budget)
    run.measureEveryCandidateTwice()
    guard var best = run.lowestMean else {
      return run.outcome(
        strategy: name, choice: nil, confidence: "no candidate ran", converged: false, claim: .none)
    }
    while true {
      if !run.usable.contains(best), let next = run.lowestMean {
        best = next
      }
      var probabilities = probabilitiesFaster(than: best, run)
      if let (challenger, probability) = probabilities.max(by: { $0.value < $1.value }),
        probability > pSwitch
      {
        best = challenger
        probabilities = probabilitiesFaster(than: best, run)
      }
      let plausible = probabilities.filter { $0.value > plausibility }.keys.sorted()
      if plausible.isEmpty {
        return run.outcome(
          strategy: name, choice: best,
          confidence:
            "no challenger has more than \(Int(plausibility * 100)) % estimated probability (1 − p of Welch's test) of being faster than \(run.target.label(best))",
          converged: true, claim: .best)
      }
      guard run.canMeasure() else { break }
      run.round += 1
      for _ in 0..<extraRepeatsBest { run.measure(best) }
      for challenger in plausible { run.measure(challenger) }
    }
    return run.outcome(
      strategy: name, choice: best,
      confidence: "budget reached with challengers still plausible", converged: false,
      claim: .none)
  }

  /// `1 − p` of Welch's one-sided test "challenger faster than `best`", per challenger.
  private func probabilitiesFaster<Target>(than best: Int, _ run: TuningRun<Target>) -> [Int:
    Double]
  {
    var result: [Int: Double] = [:]
    for challenger in run.usable where challenger != best {
      if let test = run.welch(challenger, best) { result[challenger] = 1 - test.pLess }
    }
    return result
  }
}
