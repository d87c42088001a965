/// Limits on a tuning run: whichever is reached first stops it. A candidate slower than
/// `candidateSeconds` per call is dropped (reported as a failure) instead of stopping the run.
package struct TuningBudget: Sendable, Hashable, Codable {
  /// Most measurements, all candidates together.
  package var measurements: Int
  /// Most seconds (as the target counts them).
  package var seconds: Double
  /// Most seconds one call of a candidate may take; a candidate measured above it is dropped.
  /// Nil: no limit.
  package var candidateSeconds: Double?

  /// A budget; by default 5 000 measurements or 10 minutes, and no limit per candidate.
  package init(measurements: Int = 5000, seconds: Double = 600, candidateSeconds: Double? = nil) {
    self.measurements = measurements
    self.seconds = seconds
    self.candidateSeconds = candidateSeconds
  }
}
