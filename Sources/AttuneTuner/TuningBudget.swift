/// Limits on a tuning run: whichever is reached first stops it. A candidate slower than
/// `candidateSeconds` per call is dropped (reported as a failure) instead of stopping the run.
public struct TuningBudget: Sendable, Hashable, Codable {
  /// Most measurements, all candidates together.
  public var measurements: Int
  /// Most seconds (as the target counts them).
  public var seconds: Double
  /// Most seconds one call of a candidate may take; a candidate measured above it is dropped.
  /// Nil: no limit.
  public var candidateSeconds: Double?

  /// A budget; by default 5 000 measurements or 10 minutes, and no limit per candidate.
  public init(measurements: Int = 5000, seconds: Double = 600, candidateSeconds: Double? = nil) {
    self.measurements = measurements
    self.seconds = seconds
    self.candidateSeconds = candidateSeconds
  }
}
