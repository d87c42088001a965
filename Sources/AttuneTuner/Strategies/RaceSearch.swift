import AttuneKernels
import AttuneStats
import Foundation

/// Attune's tuner: racing by successive elimination, with an indifference margin and an error
/// level that holds across all candidates and all looks.
///
/// Each round measures every candidate still in the race once, in a shuffled order. At looks on
/// a geometric schedule (rounds 3, 4, 5, 6, 8, 10, 12, 15, …), the candidate with the lowest
/// trimmed mean of log-times becomes the reference `r`, and for every other candidate `i` the
/// per-round differences `d = log tᵢ − log t_r` (same round, so drift shared by both cancels)
/// give a lower confidence bound `Lᵢ` on `Δᵢ = θᵢ − θ_r`, the gap in log-time:
///
/// - `Lᵢ > 0`: `i` is slower than `r`, so it is not the fastest: it leaves the race;
/// - every remaining `Lᵢ > −log(1 + ε)`: no candidate is more than ε faster than `r`: stop and
///   choose `r`.
///
/// Why the error level holds. Because noise is independent between candidates, `d − Δ` is
/// symmetric whatever the noise distribution (a difference of two independent copies), so a
/// location estimate of `d` targets `Δ` exactly. The estimate is the 20 % trimmed mean with the
/// Tukey–McLaughlin standard error, its Winsorized variance pooled over the race (all candidates
/// share the machine's noise); trimming keeps rare 2–10× outliers from moving it. Both ways to
/// err (dropping the fastest, or stopping on a choice more than ε slower than it) need a lower
/// bound on a gap between the fastest candidate and some reference to exceed its true value, so
/// one-sided bounds at `α = δ / ((K − 1) · L)` for `K` candidates and `L` possible looks make the
/// whole run wrong with probability at most δ (Bonferroni).
///
/// Literature: successive elimination (Even-Dar, Mannor and Mansour, *JMLR* 7, 2006), racing for
/// configuration (Maron and Moore, 1994; Birattari et al., F-Race, GECCO 2002; López-Ibáñez et
/// al., irace, 2016), ε-optimal stopping as in LUCB (Kalyanakrishnan et al., ICML 2012). Unlike
/// F-Race's Friedman test it needs no blocks beyond the rounds, and unlike LUCB it keeps the
/// measurements paired so a drifting machine does not bias the comparisons.
public struct RaceSearch: TuningStrategy {
  /// Indifference margin ε: candidates within this relative margin of the fastest are equally good.
  public var epsilon: Double
  /// Error level δ over the whole run.
  public var delta: Double
  /// Rounds before the first look.
  public var firstLook: Int
  /// Each look is at least this factor more rounds than the previous.
  public var lookGrowth: Double
  /// Proportion trimmed from each end of the differences.
  public var trim: Double

  /// A race with margin `epsilon` (default 1 %) and error level `delta` (default 0.05).
  public init(
    epsilon: Double = 0.01, delta: Double = 0.05, firstLook: Int = 3, lookGrowth: Double = 1.2,
    trim: Double = 0.2
  ) {
    self.epsilon = epsilon
    self.delta = delta
    self.firstLook = firstLook
    self.lookGrowth = lookGrowth
    self.trim = trim
  }

  /// `"race"`.
  public var name: String { "race" }

  /// The rounds at which the race looks, up to `maximumRounds`.
  package func looks(upTo maximumRounds: Int) -> [Int] {
    var rounds: [Int] = []
    var next = max(firstLook, 2)
    while next <= max(maximumRounds, firstLook) {
      rounds.append(next)
      next = max(next + 1, Int((Double(next) * lookGrowth).rounded(.up)))
    }
    return rounds
  }

  /// Runs the race.
  public func tune<Target: TuningTarget>(_ target: Target, budget: TuningBudget, seed: UInt64)
    -> TuningOutcome
  {
    var run = TuningRun(target, budget: budget)
    let k = max(run.count, 2)
    // With two candidates left a round costs 2 measurements: the most rounds the budget allows.
    let schedule = looks(upTo: max(budget.measurements / 2, firstLook))
    let lookSet = Set(schedule)
    let alpha = delta / Double((k - 1) * schedule.count)
    let margin = Self.logOnePlus(epsilon)
    var generator = SplitMix64(seed: seed)
    var alive = run.usable
    var bounds: [Int: Double] = [:]
    var reference = alive.first

    while alive.count > 1, run.canMeasure() {
      run.round += 1
      for candidate in alive.shuffled(using: &generator) { run.measure(candidate) }
      alive = alive.filter { !run.failed.contains($0) }
      guard lookSet.contains(run.round), alive.count > 1 else {
        continue
      }
      guard let look = self.look(run, alive: alive, alpha: alpha) else { continue }
      reference = look.reference
      bounds = look.lower
      alive = alive.filter { $0 == look.reference || (look.lower[$0] ?? 0) <= 0 }
      if alive.allSatisfy({ $0 == look.reference || (look.lower[$0] ?? -.infinity) > -margin }) {
        let others = run.count - 1
        let claim: TuningClaim = alive.count == 1 ? .best : .withinMargin
        return run.outcome(
          strategy: name, choice: look.reference,
          confidence: alive.count == 1
            ? "with probability ≥ \(percent(1 - delta)), \(run.target.label(look.reference)) is the fastest of the \(others + 1) candidates (all others are slower)"
            : "with probability ≥ \(percent(1 - delta)), \(run.target.label(look.reference)) is within \(percent(epsilon)) of the fastest of the \(others + 1) candidates",
          converged: true, claim: claim)
      }
    }
    alive = alive.filter { !run.failed.contains($0) }
    if alive.count == 1, let only = alive.first {
      return run.outcome(
        strategy: name, choice: only,
        confidence: "\(run.target.label(only)) is the only candidate left that ran",
        converged: true,
        claim: .best)
    }
    let choice = look(run, alive: alive, alpha: alpha)?.reference ?? reference
    let worst = alive.compactMap { bounds[$0] }.min() ?? -.infinity
    let statement =
      worst.isFinite
      ? "budget reached: with probability ≥ \(percent(1 - delta)), no remaining candidate is more than \(percent(Self.expMinusOne(-worst))) faster than the choice"
      : "budget reached before the first look"
    return run.outcome(
      strategy: name, choice: choice, confidence: statement, converged: false, claim: .none)
  }

  /// One look: the reference, and each other candidate's lower bound on its log-time gap.
  private func look<Target>(_ run: TuningRun<Target>, alive: [Int], alpha: Double)
    -> (reference: Int, lower: [Int: Double])?
  {
    let logs = Dictionary(
      uniqueKeysWithValues: alive.map { candidate in
        (
          candidate,
          zip(run.roundsOf[candidate], run.times[candidate]).map { ($0, Foundation.log($1)) }
        )
      })
    guard
      let reference = alive.min(by: {
        location(logs[$0] ?? []) < location(logs[$1] ?? [])
      })
    else { return nil }
    let referenceByRound = Dictionary(
      (logs[reference] ?? []).map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
    var estimates: [Int: TrimmedMean] = [:]
    var pooledSquares = 0.0
    var pooledDegrees = 0
    var tDegrees = 0
    for candidate in alive where candidate != reference {
      let differences = (logs[candidate] ?? []).compactMap { round, value in
        referenceByRound[round].map { value - $0 }
      }
      guard differences.count >= 2, let estimate = try? TrimmedMean(differences, proportion: trim)
      else { continue }
      estimates[candidate] = estimate
      pooledSquares += estimate.winsorizedVariance * Double(estimate.count - 1)
      pooledDegrees += estimate.count - 1
      tDegrees += estimate.effectiveCount - 1
    }
    guard pooledDegrees > 0 else { return nil }
    let pooledDeviation = (pooledSquares / Double(pooledDegrees)).squareRoot()
    let quantile =
      (try? StudentT(degreesOfFreedom: Double(max(tDegrees, 1))).quantile(1 - alpha)) ?? .infinity
    var lower: [Int: Double] = [:]
    for (candidate, estimate) in estimates {
      let n = Double(estimate.count)
      let standardError = pooledDeviation * n / Double(estimate.effectiveCount) / n.squareRoot()
      lower[candidate] = estimate.mean - quantile * standardError
    }
    return (reference, lower)
  }

  /// The trimmed mean of a candidate's log-times (its rank for choosing the reference).
  private func location(_ values: [(Int, Double)]) -> Double {
    (try? TrimmedMean(values.map(\.1), proportion: trim).mean) ?? .infinity
  }

  private func percent(_ value: Double) -> String {
    let p = value * 100
    return p >= 10 ? "\(Int(p.rounded())) %" : "\(Double(Int(p * 10)) / 10) %"
  }

  static func logOnePlus(_ x: Double) -> Double { Foundation.log1p(x) }
  static func expMinusOne(_ x: Double) -> Double { Foundation.expm1(x) }
}
