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
  /// Nothing: the budget stopped the run first.
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

  /// Measurements taken in each round, in order (the report's Graphs 1 and 2).
  public var measurementsPerRound: [Int] {
    var counts = [Int](repeating: 0, count: rounds)
    for entry in trace where entry.round >= 1 && entry.round <= rounds {
      counts[entry.round - 1] += 1
    }
    return counts
  }
}
