import AttuneKernels
import AttuneStats
import Foundation

/// Attune's tuner: racing by successive elimination, with an indifference margin and an error
/// level that holds across all candidates and all looks.
///
/// **Rounds.** Each round measures every candidate still in the race once, in a shuffled order.
/// Before the first look, a candidate whose first measurement is more than `dropFactor` times
/// the fastest first measurement, or whose first two are both more than `screenFactor` times the
/// slower of the best candidate's first two, leaves the race (noise can do that to the fastest
/// candidate only by slowing it `screenFactor`-fold twice in a row).
///
/// **What is compared.** Each candidate's location is the 20 % trimmed mean of its log-times, `θᵢ`
/// (for noise symmetric in log-time, also its median and mean log-time). The race ranks by it and
/// bounds differences of it, nothing else.
///
/// **Looks.** From the first round at which trimming removes a value (`⌊γn⌋ ≥ 1`: round 5 at
/// γ = 0.2), on a geometric schedule (5, 6, 8, 10, 12, 15, …), the candidate with the lowest
/// estimated `θ` becomes the reference `r`, and every other candidate `i` gets a lower bound `Lᵢ` on
/// `θᵢ − θ_r` from Yuen's test for paired trimmed means (`PairedTrimmedDifference`): its own
/// Winsorized variances and covariance (same round, so drift shared by the pair cancels), and its
/// own `h − 1` degrees of freedom. Then:
///
/// - `Lᵢ > 0`: `i` is slower than `r`, so it is not the fastest: it leaves the race;
/// - every remaining `Lᵢ > −log(1 + ε)`: no candidate is more than ε faster than `r`: stop and
///   choose `r`.
///
/// **Dependence.** At each look two lag-1 autocorrelations are tested (one-sided, at
/// `dependenceLevel`): every alive candidate's residuals pooled (log-time minus its round's
/// median), and each comparison's own paired differences (the level shared among the look's
/// comparisons). When one is significant, ρ̂ is corrected for its small-sample bias
/// (`ρ̃ = (nρ̂ + 1)/(n − 3)`, at most 0.95), the variance is multiplied by `f = (1 + ρ̃)/(1 − ρ̃)`
/// (an AR(1) series of n values is worth n/f independent ones) and by `(n − 1)/(n − f)` (the
/// sample variance's own bias), the degrees of freedom are divided by `f`, no bound is given
/// while `n ≤ 2f`, and the outcome says so. The outcome also reports dependence found over the
/// whole run.
///
/// **Error level.** Both ways to err (dropping the fastest, or stopping on a choice more than ε
/// slower than it) need a lower bound on a gap between the fastest candidate and some reference
/// to exceed its true value. Look `ℓ` (from 1) uses one-sided bounds at
/// `αℓ = δ / ((K − 1) · ℓ (ℓ + 1))`: the `αℓ` sum to `δ / (K − 1)` over any number of looks, so the
/// whole run is wrong with probability at most δ (Bonferroni over the `K − 1` possible
/// references and all looks), front-loaded so that easy races stop early. At a budget stop one
/// more look, with the next `αℓ`, gives the smallest margin ε′ the choice can be claimed within.
///
/// What the guarantee assumes: rounds independent (or dependent as an AR(1) series, which the
/// widening covers), each candidate's distribution fixed over the run apart from drift shared
/// within a round. `docs/TUNING.md` shows, on simulated candidates, what happens when it fails.
///
/// Literature: successive elimination (Even-Dar, Mannor and Mansour, *JMLR* 7, 2006), racing for
/// configuration (Maron and Moore, 1994; Birattari et al., F-Race, GECCO 2002; López-Ibáñez et
/// al., irace, 2016), ε-optimal stopping as in LUCB (Kalyanakrishnan et al., ICML 2012), Yuen's
/// trimmed-mean test (*Biometrika* 61, 1974).
package struct RaceSearch: TuningStrategy {
  /// Indifference margin ε: candidates within this relative margin of the fastest are equally good.
  package var epsilon: Double
  /// Error level δ over the whole run.
  package var delta: Double
  /// Each look is at least this factor more rounds than the previous.
  package var lookGrowth: Double
  /// Proportion γ trimmed from each end of each candidate's log-times.
  package var trim: Double
  /// A candidate whose first measurement exceeds this multiple of the fastest first one leaves.
  package var dropFactor: Double
  /// A candidate whose first two measurements both exceed this multiple of the slower of the
  /// best candidate's first two leaves.
  package var screenFactor: Double
  /// One-sided level of the test that a comparison's lag-1 autocorrelation is positive.
  package var dependenceLevel: Double

  /// A race with margin `epsilon` (default 1 %) and error level `delta` (default 0.05).
  package init(
    epsilon: Double = 0.01, delta: Double = 0.05, lookGrowth: Double = 1.2, trim: Double = 0.2,
    dropFactor: Double = 10, screenFactor: Double = 2, dependenceLevel: Double = 0.01
  ) {
    self.epsilon = epsilon
    self.delta = delta
    self.lookGrowth = lookGrowth
    self.trim = trim
    self.dropFactor = dropFactor
    self.screenFactor = screenFactor
    self.dependenceLevel = dependenceLevel
  }

  /// `"race"`.
  package var name: String { "race" }

  /// The first round with something to trim: the smallest `n` with `⌊γn⌋ ≥ 1` (at least 3).
  package var firstLook: Int {
    guard trim > 0 else { return 3 }
    var n = 3
    while Int((trim * Double(n)).rounded(.down)) < 1 { n += 1 }
    return n
  }

  /// The rounds at which the race looks, up to `maximumRounds`.
  package func looks(upTo maximumRounds: Int) -> [Int] {
    var rounds: [Int] = []
    var next = firstLook
    while next <= max(maximumRounds, firstLook) {
      rounds.append(next)
      next = max(next + 1, Int((Double(next) * lookGrowth).rounded(.up)))
    }
    return rounds
  }

  /// The one-sided level of every bound at look `index` (from 1) among `candidates`.
  package func level(look index: Int, candidates: Int) -> Double {
    delta / Double(max(candidates - 1, 1)) / Double(index * (index + 1))
  }

  /// Runs the race.
  package func tune<Target: TuningTarget>(_ target: Target, budget: TuningBudget, seed: UInt64)
    -> TuningOutcome
  {
    var run = TuningRun(target, budget: budget)
    let k = run.count
    let schedule = Set(looks(upTo: max(budget.measurements / 2, firstLook)))
    let margin = Foundation.log1p(epsilon)
    var generator = SplitMix64(seed: seed)
    var alive = run.usable
    var screened: [String: String] = [:]
    var looksTaken = 0

    while alive.count > 1, run.canMeasure() {
      run.round += 1
      for candidate in alive.shuffled(using: &generator) { run.measure(candidate) }
      alive = alive.filter { !run.failed.contains($0) }
      if run.round <= 2 { alive = screen(run, alive: alive, into: &screened) }
      guard schedule.contains(run.round), alive.count > 1 else { continue }
      looksTaken += 1
      let look = self.look(run, alive: alive, alpha: level(look: looksTaken, candidates: k))
      guard let look else { continue }
      alive = alive.filter { $0 == look.reference || (look.lower[$0] ?? 0) <= 0 }
      if alive.allSatisfy({ $0 == look.reference || (look.lower[$0] ?? -.infinity) > -margin }) {
        let best = alive.count == 1
        let label = run.target.label(look.reference)
        let claim =
          best
          ? "\(label) is the fastest of the \(k) candidates (all others are slower)"
          : "\(label) is within \(Self.percent(epsilon)) of the fastest of the \(k) candidates"
        let autocorrelation = dependence(look, run)
        return run.outcome(
          strategy: name, choice: look.reference,
          confidence: "with probability ≥ \(Self.probabilityAtLeast(1 - delta)), \(claim)"
            + dependenceNote(autocorrelation),
          converged: true, claim: best ? .best : .withinMargin,
          details: OutcomeDetails(
            margin: best ? 0 : epsilon, autocorrelation: autocorrelation, screened: screened))
      }
    }
    if alive.count == 1, let only = alive.first {
      let others = k - 1 - run.failures.count
      return run.outcome(
        strategy: name, choice: only,
        confidence: others > 0
          ? "\(run.target.label(only)) is the only candidate left: the others were many times slower at their first measurements"
          : "\(run.target.label(only)) is the only candidate left that ran",
        converged: true, claim: .best,
        details: OutcomeDetails(margin: 0, autocorrelation: nil, screened: screened))
    }
    return budgetStop(run, alive: alive, look: looksTaken + 1, screened: screened)
  }

  /// At a budget stop: one more look, at the next level, and the smallest margin it supports.
  private func budgetStop<Target>(
    _ run: TuningRun<Target>, alive: [Int], look index: Int, screened: [String: String]
  ) -> TuningOutcome {
    let fallback = alive.min { run.mean($0) < run.mean($1) }
    guard let look = look(run, alive: alive, alpha: level(look: index, candidates: run.count))
    else {
      return run.outcome(
        strategy: name, choice: fallback,
        confidence: "budget reached before a first look: nothing can be claimed",
        converged: false, claim: .none,
        details: OutcomeDetails(margin: nil, autocorrelation: nil, screened: screened))
    }
    let others = alive.filter { $0 != look.reference && (look.lower[$0] ?? 0) <= 0 }
    let label = run.target.label(look.reference)
    let worst = others.map { look.lower[$0] ?? -.infinity }.min() ?? 0
    guard worst.isFinite else {
      return run.outcome(
        strategy: name, choice: look.reference,
        confidence:
          "budget reached before every candidate could be bounded against \(label) (too few measurements, or too few independent ones: consecutive measurements were correlated): nothing can be claimed",
        converged: false, claim: .none,
        details: OutcomeDetails(
          margin: nil, autocorrelation: dependence(look, run), screened: screened))
    }
    let achieved = max(Foundation.expm1(-worst), 0)
    let autocorrelation = dependence(look, run)
    let claim =
      others.isEmpty
      ? "\(label) is the fastest of the \(run.count) candidates (all others are slower)"
      : "\(label) is within \(Self.percent(achieved)) of the fastest of the \(run.count) candidates (asked: \(Self.percent(epsilon)))"
    return run.outcome(
      strategy: name, choice: look.reference,
      confidence: "budget reached: with probability ≥ \(Self.probabilityAtLeast(1 - delta)), "
        + claim + dependenceNote(autocorrelation),
      converged: false,
      claim: others.isEmpty ? .best : (achieved <= epsilon ? .withinMargin : .none),
      details: OutcomeDetails(
        margin: others.isEmpty ? 0 : achieved, autocorrelation: autocorrelation,
        screened: screened))
  }

  /// Drops, after round 1 or 2, the candidates many times slower than the fastest.
  private func screen<Target>(
    _ run: TuningRun<Target>, alive: [Int], into screened: inout [String: String]
  ) -> [Int] {
    let first = alive.compactMap { run.times[$0].first }
    guard let fastest = first.min() else { return alive }
    var dropped = Set<Int>()
    for candidate in alive {
      guard let time = run.times[candidate].first, time > dropFactor * fastest else { continue }
      dropped.insert(candidate)
      screened[run.target.label(candidate)] =
        "first measurement \(ratio(time / fastest))× the fastest first measurement (over \(ratio(dropFactor))×)"
    }
    let pairs = alive.filter { run.times[$0].count >= 2 }
    if let bestSlow = pairs.map({ run.times[$0].prefix(2).max() ?? .infinity }).min() {
      for candidate in pairs where !dropped.contains(candidate) {
        let quickest = run.times[candidate].prefix(2).min() ?? 0
        guard quickest > screenFactor * bestSlow else { continue }
        dropped.insert(candidate)
        screened[run.target.label(candidate)] =
          "first two measurements both over \(ratio(screenFactor))× the best candidate's slower one (\(ratio(quickest / bestSlow))×)"
      }
    }
    // Never drop them all: the fastest first measurement's owner stays.
    return alive.filter { !dropped.contains($0) }
  }

  /// One look's result: the reference, each other candidate's lower bound on its log-time gap,
  /// and the largest significant autocorrelation that widened a bound.
  private struct Look {
    let reference: Int
    let lower: [Int: Double]
    let autocorrelation: Double?
  }

  /// One look at level `alpha` per bound.
  private func look<Target>(_ run: TuningRun<Target>, alive: [Int], alpha: Double) -> Look? {
    let dependenceThreshold = (try? StandardNormal.quantile(1 - dependenceLevel)) ?? .infinity
    // Each comparison's own test shares the level among the look's comparisons, so independent
    // noise rarely raises a false alarm however many candidates race.
    let ownThreshold =
      (try? StandardNormal.quantile(1 - dependenceLevel / Double(max(alive.count - 1, 1))))
      ?? .infinity
    let locations = Dictionary(
      uniqueKeysWithValues: alive.map { candidate in
        (
          candidate,
          (try? TrimmedMean(run.times[candidate].map { Foundation.log($0) }, proportion: trim)
            .mean) ?? .infinity
        )
      })
    let location = { (candidate: Int) in locations[candidate, default: .infinity] }
    guard let reference = alive.min(by: { location($0) < location($1) }) else { return nil }
    var referenceByRound: [Int: Double] = [:]
    for (round, time) in zip(run.roundsOf[reference], run.times[reference]) {
      referenceByRound[round] = Foundation.log(time)
    }
    var lower: [Int: Double] = [:]
    var widest: Double?
    // Dependence shared by the race (the machine's state persisting over rounds) is found with
    // every alive candidate's residuals at once, sooner than in any one comparison.
    let pooled = pooledAutocorrelation(run, alive)
    let shared =
      significant(
        pooled.rho, count: pooled.count, length: pooled.length, threshold: dependenceThreshold)
      ? pooled.rho : nil
    for candidate in alive where candidate != reference {
      var x: [Double] = []
      var y: [Double] = []
      for (round, time) in zip(run.roundsOf[candidate], run.times[candidate]) {
        guard let other = referenceByRound[round] else { continue }
        x.append(Foundation.log(time))
        y.append(other)
      }
      guard x.count >= firstLook,
        let comparison = try? PairedTrimmedDifference(x, y, proportion: trim)
      else { continue }
      var standardError = comparison.standardError
      var degrees = Double(comparison.degreesOfFreedom)
      let n = Double(comparison.count)
      let own = comparison.lagOneAutocorrelation
      let ownSignificant = significant(own, count: n, length: n, threshold: ownThreshold)
      let rho = max(ownSignificant ? own : -1, shared ?? -1)
      if rho > 0 {
        widest = max(widest ?? rho, rho)
        // The estimate is biased low by about (1 + 3ρ)/n; correct it, then widen to the
        // effective sample size n/f of an AR(1) series, with the sample variance's own bias
        // (it sees only n − f independent values' worth of spread).
        let corrected = min((n * rho + 1) / (n - 3), 0.95)
        let inflation = (1 + corrected) / (1 - corrected)
        guard n > 2 * inflation else { continue }
        standardError *= (inflation * (n - 1) / (n - inflation)).squareRoot()
        degrees = max(degrees / inflation, 1)
      }
      let quantile =
        (try? StudentT(degreesOfFreedom: degrees).quantile(1 - alpha)) ?? .infinity
      lower[candidate] = comparison.estimate - quantile * standardError
    }
    return Look(reference: reference, lower: lower, autocorrelation: widest)
  }

  /// The lag-1 autocorrelation of `candidates`' residuals pooled over them, with the number of
  /// independent residuals behind it. A candidate's log-times are centred on their median, then
  /// each round's median of those centred values (the drift the round shares) is removed; each
  /// candidate's residuals are Winsorized at the race's proportion and centred again. Removing
  /// each candidate's own location first keeps candidates leaving the race from moving the round
  /// effect; a round of k candidates gives k − 1 independent residuals.
  private func pooledAutocorrelation<Target>(_ run: TuningRun<Target>, _ candidates: [Int]) -> (
    rho: Double, count: Double, length: Double
  ) {
    let series = candidates.filter { run.times[$0].count >= 3 }
    var centred: [Int: [Double]] = [:]
    var byRound: [Int: [Double]] = [:]
    for candidate in series {
      let logs = run.times[candidate].map { Foundation.log($0) }
      let middle = Self.median(logs)
      let values = logs.map { $0 - middle }
      centred[candidate] = values
      for (round, value) in zip(run.roundsOf[candidate], values) {
        byRound[round, default: []].append(value)
      }
    }
    let effects = byRound.mapValues { Self.median($0) }
    let sizes = byRound.mapValues(\.count)
    var numerator = 0.0
    var denominator = 0.0
    var count = 0.0
    for candidate in series {
      let rounds = run.roundsOf[candidate]
      var residuals = zip(rounds, centred[candidate] ?? []).map { $1 - (effects[$0] ?? 0) }
      let sorted = residuals.sorted()
      let g = Int((trim * Double(sorted.count)).rounded(.down))
      let (low, high) = (sorted[g], sorted[sorted.count - 1 - g])
      residuals = residuals.map { min(max($0, low), high) }
      let mean = residuals.reduce(0, +) / Double(residuals.count)
      for index in residuals.indices {
        let value = residuals[index] - mean
        denominator += value * value
        if index + 1 < residuals.count { numerator += value * (residuals[index + 1] - mean) }
        let k = Double(sizes[rounds[index]] ?? 1)
        count += k > 1 ? (k - 1) / k : 0
      }
    }
    let length =
      Double(series.map { run.times[$0].count }.reduce(0, +)) / Double(max(series.count, 1))
    return (denominator > 0 ? numerator / denominator : 0, count, length)
  }

  /// Whether a lag-1 autocorrelation `rho` from series of about `length` values, `count` in all,
  /// is significantly positive: under independence it is about normal with mean −1/length (each
  /// series is centred on its own mean) and variance 1/count.
  private func significant(_ rho: Double, count: Double, length: Double, threshold: Double)
    -> Bool
  {
    count > 0 && length > 0 && rho > -1 / length + threshold / count.squareRoot()
  }

  private static func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  }

  /// What the outcome reports: the largest autocorrelation that widened a bound at the deciding
  /// look, or found significant over the whole run.
  private func dependence<Target>(_ look: Look, _ run: TuningRun<Target>) -> Double? {
    let values = [look.autocorrelation, runDependence(run)].compactMap { $0 }
    return values.max()
  }

  /// The pooled autocorrelation of every candidate measured, when it is significant: what the
  /// outcome reports about the run as a whole.
  private func runDependence<Target>(_ run: TuningRun<Target>) -> Double? {
    let (rho, count, length) = pooledAutocorrelation(run, Array(0..<run.count))
    let threshold = (try? StandardNormal.quantile(1 - dependenceLevel)) ?? .infinity
    return significant(rho, count: count, length: length, threshold: threshold) ? rho : nil
  }

  private func dependenceNote(_ autocorrelation: Double?) -> String {
    guard let autocorrelation else { return "" }
    return
      "; consecutive measurements were correlated (lag-1 autocorrelation up to \(ratio(autocorrelation))), so bounds were widened to their effective sample size: the claim assumes that dependence is short-range"
  }

  /// `value` as a percentage for a claim: whole percents from 10 %, tenths (rounded up) below, in
  /// powers of ten past a million percent, and ∞ for an infinite value. A budget stop's achieved
  /// margin is e^(−bound) − 1, which overflows Double when a bound is far below zero (a noisy
  /// host, few measurements): it was converted to Int and trapped.
  ///
  /// - Complexity: O(1).
  package static func percent(_ value: Double) -> String {
    let p = value * 100
    guard p.isFinite else { return p.isNaN ? "an unknown %" : "∞ %" }
    guard p < 1e6 else { return "\(String(format: "%.1e", p)) %" }
    return p >= 10 ? "\(Int(p.rounded())) %" : "\((p * 10).rounded(.up) / 10) %"
  }

  /// A probability in [0, 1] as a percentage that is a lower bound of it, for "with probability
  /// ≥ …": truncated, never rounded up, with as many decimals as keep it below 100 % when it is
  /// below 1 (1 − 10⁻⁶ prints 99.9999 %, not 100 %), at most 9.
  ///
  /// - Complexity: O(1).
  package static func probabilityAtLeast(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "an unknown %" : "100 %" }
    let p = min(max(value, 0), 1) * 100
    guard p < 100 else { return "100 %" }
    let decimals = min(9, max(0, Int((-Foundation.log10(100 - p)).rounded(.up))))
    let scale = Foundation.pow(10, Double(decimals))
    return String(format: "%.\(decimals)f %%", (p * scale).rounded(.down) / scale)
  }

  private func ratio(_ value: Double) -> String {
    "\((value * 100).rounded() / 100)"
  }
}
