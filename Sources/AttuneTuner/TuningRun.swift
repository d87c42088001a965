import AttuneStats

/// The bookkeeping every strategy shares: measuring under the budget, the trace, failures, and
/// each candidate's times (in round order) and log-times.
struct TuningRun<Target: TuningTarget> {
  var target: Target
  let budget: TuningBudget
  let start: Double
  private(set) var trace: [TraceEntry] = []
  /// Times per candidate, in the order taken.
  private(set) var times: [[Double]]
  /// Round of each time, per candidate.
  private(set) var roundsOf: [[Int]]
  /// Running mean and variance of the times, per candidate.
  private(set) var statistics: [RunningStatistics]
  private(set) var failures: [String: String] = [:]
  private(set) var failed: Set<Int> = []
  private(set) var stopReason: StopReason?
  /// How long the last measurement of each candidate took (target seconds), nil before one.
  private var durations: [Double?]
  var round = 0

  init(_ target: Target, budget: TuningBudget) {
    self.target = target
    self.budget = budget
    start = target.elapsedSeconds
    times = Array(repeating: [], count: target.candidateCount)
    roundsOf = Array(repeating: [], count: target.candidateCount)
    statistics = Array(repeating: RunningStatistics(), count: target.candidateCount)
    durations = Array(repeating: nil, count: target.candidateCount)
  }

  var count: Int { target.candidateCount }
  var measurements: Int { trace.count }
  var seconds: Double { target.elapsedSeconds - start }
  var usable: [Int] { (0..<count).filter { !failed.contains($0) } }

  /// Whether the budget allows another measurement; records why not.
  mutating func canMeasure() -> Bool {
    if stopReason != nil { return false }
    if TuningInterruption.isRequested {
      stopReason = .interrupted
    } else if measurements >= budget.measurements {
      stopReason = .measurementBudget
    } else if seconds >= budget.seconds {
      stopReason = .timeBudget
    }
    return stopReason == nil
  }

  /// How long a measurement of `candidate` is expected to take: its last one, else the target's
  /// expectation, else the longest measurement so far (0 before any).
  func expectedDuration(_ candidate: Int) -> Double {
    durations[candidate] ?? target.expectedMeasurementSeconds(candidate)
      ?? durations.compactMap { $0 }.max() ?? 0
  }

  /// Measures `candidate` once if the budget allows, counting the measurement's expected
  /// duration: a budget is a promise, so a measurement that would end past it is not started.
  /// False when it did not measure.
  @discardableResult
  mutating func measure(_ candidate: Int) -> Bool {
    guard !failed.contains(candidate), canMeasure() else { return false }
    guard seconds + expectedDuration(candidate) <= budget.seconds else {
      stopReason = .timeBudget
      return false
    }
    do {
      let before = target.elapsedSeconds
      let value = try target.measure(candidate)
      durations[candidate] = target.elapsedSeconds - before
      guard value.isFinite, value > 0 else {
        throw TuningFailure("measured a time of \(value) seconds")
      }
      if let limit = budget.candidateSeconds, value > limit {
        throw TuningFailure("took \(value) s per call, over the limit of \(limit) s")
      }
      times[candidate].append(value)
      statistics[candidate].add(value)
      roundsOf[candidate].append(round)
      trace.append(TraceEntry(round: round, candidate: candidate, seconds: value))
      return true
    } catch {
      failed.insert(candidate)
      failures[target.label(candidate)] = "\(error)"
      return false
    }
  }

  /// The outcome for `choice` with `confidence`, stopped for `reason` (default: the recorded one).
  func outcome(
    strategy: String, choice: Int?, confidence: String, converged: Bool, claim: TuningClaim,
    details: OutcomeDetails = OutcomeDetails()
  ) -> TuningOutcome {
    // No choice when the budget (or an interruption) ended the run before a first measurement;
    // a lone candidate needs none.
    let choice = measurements == 0 && stopReason != nil ? nil : choice
    let reason: StopReason =
      choice == nil
      ? (measurements == 0 ? stopReason ?? .noCandidates : .noCandidates)
      : (converged ? .converged : (stopReason ?? .measurementBudget))
    return TuningOutcome(
      strategy: strategy, choice: choice, choiceLabel: choice.map { target.label($0) },
      confidence: measurements == 0 && stopReason == .timeBudget
        ? "the time budget ended before a first measurement" : confidence,
      claim: choice == nil ? .none : claim, stopReason: reason, measurements: measurements,
      seconds: seconds,
      rounds: round, failures: failures, trace: trace, margin: choice == nil ? nil : details.margin,
      autocorrelation: details.autocorrelation,
      screened: details.screened.isEmpty ? nil : details.screened)
  }

  /// The report's first round: every candidate measured twice, since a variance needs two.
  mutating func measureEveryCandidateTwice() {
    round = 1
    for candidate in usable {
      measure(candidate)
      measure(candidate)
    }
  }

  /// The usable candidate with the lowest mean time.
  var lowestMean: Int? { usable.min { mean($0) < mean($1) } }

  /// The mean time of `candidate` (infinity before any measurement).
  func mean(_ candidate: Int) -> Double {
    statistics[candidate].count > 0 ? statistics[candidate].mean : .infinity
  }

  /// Welch's test of candidate `a` against `b` from the running statistics; nil below two
  /// measurements each. Identical constant samples give nil; constant but different ones give
  /// a decisive test (t = ±∞).
  func welch(_ a: Int, _ b: Int) -> (pLess: Double, pTwoSided: Double)? {
    let x = statistics[a]
    let y = statistics[b]
    guard x.count >= 2, y.count >= 2 else { return nil }
    do {
      let test = try WelchTTest(
        meanA: x.mean, varianceA: x.variance, countA: x.count, meanB: y.mean,
        varianceB: y.variance, countB: y.count)
      return (test.pLess, test.pTwoSided)
    } catch {
      // Zero variance in both: decisive if the means differ, undecided if equal.
      if x.mean == y.mean { return (0.5, 1) }
      return (x.mean < y.mean ? 0 : 1, 0)
    }
  }
}

/// A measurement that could not be used.
struct TuningFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
