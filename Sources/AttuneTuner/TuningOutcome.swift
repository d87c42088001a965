/// Why a tuning run stopped.
public enum StopReason: String, Sendable, Hashable, Codable {
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
public enum TuningClaim: String, Sendable, Hashable, Codable {
  /// The choice is faster than every other candidate.
  case best
  /// The choice is within the indifference margin of the fastest candidate.
  case withinMargin
  /// No claim at the margin asked: the budget stopped the run first (`TuningOutcome.margin` may
  /// still give the margin it reached).
  case none
}

/// One measurement, as a tuner took it.
public struct TraceEntry: Sendable, Hashable, Codable {
  /// The strategy's round (1-based).
  public let round: Int
  /// The candidate measured.
  public let candidate: Int
  /// Its time in seconds.
  public let seconds: Double
}

/// What a tuning run concluded, how sure it is, and what it cost.
public struct TuningOutcome: Sendable, Hashable, Codable {
  /// The strategy's name.
  public let strategy: String
  /// The chosen candidate's index, nil if every candidate failed.
  public let choice: Int?
  /// The chosen candidate's label.
  public let choiceLabel: String?
  /// What the strategy can say about its choice, in words.
  public let confidence: String
  /// The kind of claim behind `confidence`.
  public let claim: TuningClaim
  /// Why it stopped.
  public let stopReason: StopReason
  /// Measurements taken.
  public let measurements: Int
  /// Seconds spent (see `TuningTarget.elapsedSeconds`).
  public let seconds: Double
  /// Rounds run.
  public let rounds: Int
  /// Candidates dropped because they failed, with the error.
  public let failures: [String: String]
  /// Every measurement in order.
  public let trace: [TraceEntry]
  /// The relative margin within which the choice is claimed to be of the fastest, at the
  /// strategy's error level: 0 for `.best`, ε for `.withinMargin`, and at a budget stop the
  /// smallest margin the measurements support. Nil when the strategy states none (the report's
  /// grid and adaptive) or could not compare every candidate.
  public let margin: Double?
  /// The largest lag-1 autocorrelation between consecutive measurements that made the strategy
  /// widen a bound at its deciding look, or that was significant over the whole run; nil when
  /// none was (and for strategies that do not test it).
  public let autocorrelation: Double?
  /// Candidates dropped before the first look for being many times slower, with the reason.
  public let screened: [String: String]?

  /// Creates an outcome.
  public init(
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
  public var measurementsPerRound: [Int] {
    var counts = [Int](repeating: 0, count: rounds)
    for entry in trace where entry.round >= 1 && entry.round <= rounds {
      counts[entry.round - 1] += 1
    }
    return counts
  }
}
