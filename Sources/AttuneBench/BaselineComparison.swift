import AttuneKernels
import AttuneStats
import Foundation

/// A run compared with a saved baseline run: per configuration, today's time over the
/// baseline's with a distribution-free interval from both runs' raw samples, and a verdict.
///
/// The ratio is the Hodges–Lehmann shift of the log-times (`ShiftInterval`): the two runs share
/// no rounds, so a paired ratio is not available. A configuration is **slower** when the whole
/// interval lies above 1 and the estimate exceeds `1 + threshold`, **faster** when the whole
/// interval lies below 1 and the estimate is under `1 / (1 + threshold)`, and otherwise shows
/// **no change** (within noise or within the threshold), as Criterion.rs decides.
///
/// Two runs an hour apart on a shared machine differ by more than most regressions (the whole
/// machine runs faster or slower), and nothing inside either run can see it. With a `reference`
/// kernel measured in both runs, each configuration's time is first divided by the reference's in
/// the same round (the rounds interleave every kernel), so what changed for the whole machine
/// cancels and what changed for the configuration alone remains; choose a reference the change
/// under test does not touch.
public struct BaselineComparison: Sendable, Hashable {
  /// A configuration's verdict.
  public enum Verdict: String, Sendable, Hashable, Codable {
    /// Faster than the baseline beyond the threshold.
    case faster
    /// Slower than the baseline beyond the threshold: a regression.
    case slower
    /// Within noise or within the threshold.
    case noChange = "no change"
  }

  /// One configuration present in both runs.
  public struct Row: Sendable, Hashable {
    /// The entry's label and shape.
    public let label: String
    /// The problem's sizes.
    public let shape: AttentionShape
    /// Today's median time over the baseline's, as the shift of log-times.
    public let ratio: Double
    /// Its interval (the level reached is in `confidence`).
    public let interval: ConfidenceInterval
    /// The verdict.
    public let verdict: Verdict
  }

  /// Configurations in both runs, in today's order.
  public let rows: [Row]
  /// Today's configurations absent from the baseline.
  public let unmatched: [String]
  /// What differs between the two runs' machines and builds, one phrase each.
  public let differences: [String]
  /// The relative threshold below which a significant change is reported as no change.
  public let threshold: Double
  /// The kernel every time was divided by, round by round, or nil.
  public let reference: String?

  /// Compares `current` with `baseline`, matching entries by label and shape.
  ///
  /// - Parameters:
  ///   - current: Today's run.
  ///   - baseline: The saved run.
  ///   - threshold: Changes smaller than this fraction are reported as no change.
  ///   - confidence: The level of each ratio's interval.
  ///   - reference: A kernel name (or entry label) measured at every shape in both runs; each
  ///     time is then taken relative to its time in the same round. Entries of that kernel get no
  ///     verdict; shapes where either run lacks it are listed in `unmatched`.
  /// - Throws: `StatsError` when an entry has no samples.
  public init(
    current: ComparisonReport, baseline: ComparisonReport, threshold: Double = 0.02,
    confidence: Double = 0.95, reference: String? = nil
  ) throws(StatsError) {
    self.threshold = threshold
    self.reference = reference
    func isReference(_ entry: ComparisonEntry) -> Bool {
      entry.kernel == reference || entry.label == reference
    }
    /// The times of entry `index` of `report`, or their ratios to the reference's by round, each
    /// with the process that took it.
    func times(_ report: ComparisonReport, _ index: Int) -> [(process: Int?, value: Double)]? {
      let own = report.samples.filter { $0.candidate == index }
      guard reference != nil else { return own.map { ($0.process, $0.seconds) } }
      let shape = report.entries[index].shape
      guard let r = report.entries.firstIndex(where: { isReference($0) && $0.shape == shape })
      else { return nil }
      let base = Dictionary(
        report.samples.filter { $0.candidate == r }.map { ($0.round, $0.seconds) },
        uniquingKeysWith: { a, _ in a })
      return own.compactMap { sample in
        base[sample.round].map { (sample.process, sample.seconds / $0) }
      }
    }
    var rows: [Row] = []
    var unmatched: [String] = []
    for (index, entry) in current.entries.enumerated() where !isReference(entry) {
      guard
        let match = baseline.entries.firstIndex(where: {
          $0.label == entry.label && $0.shape == entry.shape
        })
      else {
        unmatched.append("\(entry.label) at \(entry.shape)")
        continue
      }
      guard let now = times(current, index), let then = times(baseline, match) else {
        unmatched.append("\(entry.label) at \(entry.shape) (no \(reference ?? "") to divide by)")
        continue
      }
      let change = try Self.change(
        now: now.map(\.value), then: then.map(\.value), threshold: threshold,
        confidence: confidence, nowProcesses: now.map(\.process),
        thenProcesses: then.map(\.process))
      rows.append(
        Row(
          label: entry.label, shape: entry.shape, ratio: change.ratio, interval: change.interval,
          verdict: change.verdict))
    }
    self.rows = rows
    self.unmatched = unmatched
    differences = Self.differences(current.machine, baseline.machine)
  }

  /// Today's times `now` against the baseline's `then` (seconds, any counts): the ratio of
  /// typical times (the Hodges–Lehmann shift of log-times), its interval, and the verdict.
  ///
  /// When both runs were spread over at least two processes (`nowProcesses` and `thenProcesses`
  /// give each time's), the interval also spans the shift between the processes' median
  /// log-times: samples of one process share its layout and are not independent of each other,
  /// so only the processes tell how far a second run can land from the first. The interval is
  /// then the union of both, labelled with the processes' level.
  ///
  /// - Throws: `StatsError` for empty or non-finite samples.
  public static func change(
    now: [Double], then: [Double], threshold: Double = 0.02, confidence: Double = 0.95,
    nowProcesses: [Int?] = [], thenProcesses: [Int?] = []
  ) throws(StatsError) -> (ratio: Double, interval: ConfidenceInterval, verdict: Verdict) {
    let logNow = now.map { Foundation.log($0) }
    let logThen = then.map { Foundation.log($0) }
    let shift = try ShiftInterval(logNow, logThen, confidence: confidence)
    var lower = shift.interval.lower
    var upper = shift.interval.upper
    var level = shift.interval.confidence
    let nowMedians = processMedians(logNow, nowProcesses)
    let thenMedians = processMedians(logThen, thenProcesses)
    if nowMedians.count >= 2, thenMedians.count >= 2 {
      let between = try ShiftInterval(nowMedians, thenMedians, confidence: confidence)
      lower = min(lower, between.interval.lower)
      upper = max(upper, between.interval.upper)
      // The union covers at least as often as the processes' interval, the one whose
      // independence assumption holds.
      level =
        between.interval.confidence > 0
        ? between.interval.confidence
        : extremeRangeLevel(nowMedians.count, thenMedians.count)
    }
    let ratio = Foundation.exp(shift.estimate)
    let interval = ConfidenceInterval(
      lower: Foundation.exp(lower), upper: Foundation.exp(upper), confidence: level)
    return (ratio, interval, verdict(ratio: ratio, interval: interval, threshold: threshold))
  }

  /// The median of `values` in each process that `processes` (one per value) names; empty when
  /// they name none.
  static func processMedians(_ values: [Double], _ processes: [Int?]) -> [Double] {
    guard processes.count == values.count else { return [] }
    var groups: [Int: [Double]] = [:]
    for (value, process) in zip(values, processes) {
      if let process { groups[process, default: []].append(value) }
    }
    return groups.keys.sorted().map { key in
      let sorted = groups[key, default: []].sorted()
      let middle = sorted.count / 2
      return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
  }

  /// The level of the interval from the smallest to the largest of all `m · n` differences
  /// (the Mann–Whitney statistic's two extremes excluded): `1 − 2 / C(m + n, m)`.
  static func extremeRangeLevel(_ m: Int, _ n: Int) -> Double {
    var arrangements = 1.0
    for i in 0..<min(m, n) { arrangements = arrangements * Double(m + n - i) / Double(i + 1) }
    return 1 - 2 / arrangements
  }

  /// The verdict for a time ratio (today over baseline) and its interval.
  public static func verdict(ratio: Double, interval: ConfidenceInterval, threshold: Double)
    -> Verdict
  {
    if interval.lower > 1, ratio > 1 + threshold { return .slower }
    if interval.upper < 1, ratio < 1 / (1 + threshold) { return .faster }
    return .noChange
  }

  /// Whether any configuration is slower than the baseline.
  public var hasRegression: Bool { rows.contains { $0.verdict == .slower } }

  /// What differs between two machine descriptions, one phrase each.
  static func differences(_ a: MachineDescription, _ b: MachineDescription) -> [String] {
    var found: [String] = []
    func check(_ name: String, _ x: String?, _ y: String?) {
      if x != y {
        found.append("\(name): \(x ?? "unknown") now, \(y ?? "unknown") in the baseline")
      }
    }
    check("CPU", a.cpuModel, b.cpuModel)
    check("processors", "\(a.logicalProcessors)", "\(b.logicalProcessors)")
    check("micro-kernels", a.microKernels, b.microKernels)
    check("build", a.buildConfiguration, b.buildConfiguration)
    check("Swift", a.swiftVersion, b.swiftVersion)
    check("Attune", a.attuneVersion, b.attuneVersion)
    check("commit", a.attuneCommit, b.attuneCommit)
    check("operating system", a.operatingSystem, b.operatingSystem)
    return found
  }

  /// An aligned table, one row per configuration: ratio, interval, verdict.
  public func table() -> String {
    var lines: [[String]] = [["configuration", "N", "d", "time / baseline", "interval", "verdict"]]
    for row in rows {
      let shape = row.shape
      let n = ComparisonReport.sizeText(shape)
      lines.append([
        row.label, n, "\(shape.headDim)", ComparisonReport.format(row.ratio),
        "\(ComparisonReport.format(row.interval.lower))–\(ComparisonReport.format(row.interval.upper)) (\(row.interval.levelPercent)%)",
        row.verdict.rawValue,
      ])
    }
    return TextTable.render(lines, leftAligned: 1)
  }

  /// One line: how many configurations are faster, slower or unchanged, and the largest change.
  public func summary() -> String {
    let slower = rows.filter { $0.verdict == .slower }
    let faster = rows.filter { $0.verdict == .faster }
    var text =
      "against the baseline: \(slower.count) slower, \(faster.count) faster, \(rows.count - slower.count - faster.count) no change (threshold \(ComparisonReport.format(threshold * 100)) %\(reference.map { "; times relative to \($0) in the same round" } ?? ""))"
    if let worst = slower.max(by: { $0.ratio < $1.ratio }) {
      text +=
        "; worst: \(worst.label) at N=\(worst.shape.queries), \(ComparisonReport.format((worst.ratio - 1) * 100)) % slower"
    }
    return text
  }
}
