/// What the engine reports as it goes, for a progress bar.
public struct MeasurementProgress: Sendable {
  /// Work units done (warm-up and calibration count as one per candidate, each sample as one).
  public let completed: Int
  /// Work units in all.
  public let total: Int
  /// What is running now.
  public let current: String
  /// Seconds since the measurement started.
  public let elapsedSeconds: Double

  /// Seconds left at the rate so far, or nil before anything finished.
  public var remainingSeconds: Double? {
    completed > 0 ? elapsedSeconds / Double(completed) * Double(total - completed) : nil
  }
}
