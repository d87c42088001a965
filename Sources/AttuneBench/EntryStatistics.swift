import AttuneStats

/// Statistics of one entry's samples (seconds per call), and its speed against the baseline.
public struct EntryStatistics: Sendable, Hashable, Codable {
  /// Number of samples.
  public let count: Int
  /// Median seconds per call.
  public let medianSeconds: Double
  /// Distribution-free interval for the median (order statistics).
  public let medianInterval: ConfidenceInterval
  /// Mean seconds per call.
  public let meanSeconds: Double
  /// Student t interval for the mean (nil below two samples).
  public let meanInterval: ConfidenceInterval?
  /// Sample standard deviation (nil below two samples).
  public let standardDeviation: Double?
  /// Fastest sample.
  public let minimumSeconds: Double
  /// Slowest sample.
  public let maximumSeconds: Double
  /// Median absolute deviation, unscaled.
  public let mad: Double
  /// GFLOP/s at the median time.
  public let gflops: Double
  /// The baseline entry's label (same kernel and shape as the baseline kernel; nil if absent).
  public let baseline: String?
  /// Median over rounds of `baseline time / this time`: above 1 means faster than the baseline.
  public let speedup: Double?
  /// Distribution-free interval for that median ratio.
  public let speedupInterval: ConfidenceInterval?

  /// Computes the statistics of `seconds`, and the speedup from per-round `ratios`
  /// (baseline over this entry) when given.
  ///
  /// - Throws: `StatsError` when `seconds` is empty or not finite.
  package init(
    seconds: [Double], flops: Double, baseline: String?, ratios: [Double]?
  ) throws(StatsError) {
    let summary = try Summary(seconds)
    count = summary.count
    medianSeconds = summary.median
    medianInterval = try ConfidenceInterval.median(seconds)
    meanSeconds = summary.mean
    meanInterval = seconds.count >= 2 ? try ConfidenceInterval.mean(seconds) : nil
    standardDeviation = summary.standardDeviation
    minimumSeconds = summary.minimum
    maximumSeconds = summary.maximum
    mad = summary.mad
    gflops = flops / summary.median / 1e9
    self.baseline = baseline
    if let ratios, !ratios.isEmpty {
      speedup = try Summary(ratios).median
      speedupInterval = try ConfidenceInterval.median(ratios)
    } else {
      speedup = nil
      speedupInterval = nil
    }
  }
}
