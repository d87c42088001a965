/// Limits on a tuning run: whichever is reached first stops it.
public struct TuningBudget: Sendable, Hashable, Codable {
  /// Most measurements, all candidates together.
  public var measurements: Int
  /// Most seconds (as the target counts them).
  public var seconds: Double

  /// A budget; by default 5 000 measurements or 10 minutes.
  public init(measurements: Int = 5000, seconds: Double = 600) {
    self.measurements = measurements
    self.seconds = seconds
  }
}
