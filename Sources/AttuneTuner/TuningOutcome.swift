/// Why a tuning run stopped.
package enum StopReason: String, Sendable, Hashable, Codable {
  /// The strategy's own stopping rule was met.
  case converged
  /// The measurement budget ran out.
  case measurementBudget
  /// The time budget ran out.
  case timeBudget
  /// Every candidate failed to run.
  case noCandidates
  /// Stopped on request (`TuningInterruption`, Ctrl-C).
  case interrupted
}

/// What a strategy claims about its choice when it stops.
package enum TuningClaim: String, Sendable, Hashable, Codable {
  /// The choice is faster than every other candidate.
  case best
  /// The choice is within the indifference margin of the fastest candidate.
  case withinMargin
  /// No claim at the margin asked: the budget stopped the run first (`TuningOutcome.margin` may
  /// still give the margin it reached).
  case none
}

/// One measurement, as a tuner took it.
package struct TraceEntry: Sendable, Hashable, Codable {
  /// The strategy's round (1-based).
  package let round: Int
  /// The candidate measured.
  package let candidate: Int
  /// Its time in seconds.
  package let seconds: Double
}

/// What a tuning run concluded, how sure it is, and what it cost.
package struct TuningOutcome: Sendable, Hashable, Codable {
  /// The strategy's name.
  package let strategy: String
  /// The chosen candidate's index, nil if every candidate failed.
  package let choice: Int?
  /// The chosen candidate's label.
  package let choiceLabel: String?
  /// What the strategy can say about its choice, in words.
  package let confidence: String
  /// The kind of claim behind `confidence`.
  package let claim: TuningClaim
  /// Why it stopped.
  package let stopReason: StopReason
  /// Measurements taken.
  package let measurements: Int
  /// Seconds spent (see `TuningTarget.elapsedSeconds`).
  package let seconds: Double
  /// Rounds run.
  package let rounds: Int
  /// Candidates dropped because they failed, with the error.
  package let failures: [String: String]
  /// Every measurement in order.
  package let trace: [TraceEntry]
  /// The relative margin within which the choice is claimed to be of the fastest, at the
  /// strategy's error level: 0 for `.best`, ε for `.withinMargin`, and at a budget stop the
  /// smallest margin the measurements support. Nil when the strategy states none (the report's
  /// grid and adaptive) or could not compare every candidate.
  package let margin: Double?
  /// The largest lag-1 autocorrelation between consecutive measurements that made the strategy
  /// widen a bound at its deciding look, or that was significant over the whole run; nil when
  /// none was (and for strategies that do not test it).
  package let autocorrelation: Double?
  /// Candidates dropped before the first look for being many times slower, with the reason.
  package let screened: [String: String]?

  /// Creates an outcome.
  package init(
    strategy: String, choice: Int?, choiceLabel: String?, confidence: String, claim: TuningClaim,
    stopReason: StopReason, measurements: Int, seconds: Double, rounds: Int,
    failures: [String: String], trace: [TraceEntry], margin: Double? = nil,
    autocorrelation: Double? = nil, screened: [String: String]? = nil
  ) {
    self.strategy = strategy
    self.choice = choice
    self.choiceLabel = choiceLabel
    self.confidence = confidence
    self.claim = claim
    self.stopReason = stopReason
    self.measurements = measurements
    self.seconds = seconds
    self.rounds = rounds
    self.failures = failures
    self.trace = trace
    self.margin = margin
    self.autocorrelation = autocorrelation
    self.screened = screened
  }

  /// Measurements taken in each round, in order (the report's Graphs 1 and 2).
  package var measurementsPerRound: [Int] {
    var counts = [Int](repeating: 0, count: rounds)
    for entry in trace where entry.round >= 1 && entry.round <= rounds {
      counts[entry.round - 1] += 1
    }
    return counts
  }
}
