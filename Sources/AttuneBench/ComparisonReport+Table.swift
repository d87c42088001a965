import AttuneKernels
import AttuneStats
import Foundation

extension ComparisonReport {
  /// The coverage every interval of the table reaches: 95 % when all do (order-statistic
  /// intervals cover at least their nominal level from 6 samples on), else nil, and each cell
  /// then gives its own.
  var tableConfidence: Double? {
    let levels = statistics.flatMap {
      [$0.medianInterval.confidence, $0.speedupInterval?.confidence]
    }
    .compactMap { $0 }
    return levels.allSatisfy { $0 >= 0.95 - 1e-12 } ? 0.95 : nil
  }

  /// The rows of the table: a header, then one row per entry, grouped by shape.
  ///
  /// Columns: kernel, N (Nq = Nk when square, else `Nq×Nk`), d, block, median time with its
  /// interval, GFLOP/s at the median, speedup over the baseline with its interval, memory. The
  /// intervals' level is the one computed: "95% CI" when every interval reaches it, otherwise
  /// "CI" and each cell with its own coverage ("1.2–1.5 (75%)"), as with 3 samples.
  func tableRows() -> [[String]] {
    let level = tableConfidence
    let intervalHeader = level == nil ? "CI" : "95% CI"
    var rows: [[String]] = [
      [
        "kernel", "N", "d", "block", "median ms", "\(intervalHeader) ms", "GFLOP/s",
        "speedup vs \(baselineKernel)", intervalHeader, "memory MiB",
      ]
    ]
    func cell(_ interval: ConfidenceInterval, scale: Double) -> String {
      let text = "\(Self.format(interval.lower * scale))–\(Self.format(interval.upper * scale))"
      return level == nil ? "\(text) (\(interval.levelPercent)%)" : text
    }
    for (entry, stats) in zip(entries, statistics) {
      let shape = entry.shape
      let n = Self.sizeText(shape)
      let d =
        shape.headDim == shape.valueDim ? "\(shape.headDim)" : "\(shape.headDim)/\(shape.valueDim)"
      rows.append([
        entry.label, n, d, entry.blockSize.map(String.init) ?? "-",
        Self.format(stats.medianSeconds * 1e3), cell(stats.medianInterval, scale: 1e3),
        Self.format(stats.gflops),
        stats.speedup.map { Self.format($0) + "×" } ?? "-",
        stats.speedupInterval.map { cell($0, scale: 1) } ?? "-",
        entry.measuredMemoryBytes.map { Self.format(Double($0) / 1_048_576) } ?? "-",
      ])
    }
    return rows
  }

  /// An aligned text table (see `tableRows`).
  public func table() -> String { TextTable.render(tableRows(), leftAligned: 1) }

  /// The table in GitHub-flavoured Markdown, followed by the one-line answers (`answers()`).
  public func markdown() -> String {
    let rows = tableRows()
    func line(_ cells: [String]) -> String {
      "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ")
        + " |"
    }
    var lines = [
      line(rows[0]),
      "|" + rows[0].indices.map { $0 == 0 ? "---" : "---:" }.joined(separator: "|") + "|",
    ]
    lines += rows.dropFirst().map(line)
    lines.append("")
    lines += answers().map { "- " + $0 }
    return lines.joined(separator: "\n") + "\n"
  }

  /// One line per shape: its fastest configuration by median time, and its speedup over the
  /// baseline kernel with the interval ("N=2048 d=64: fastest simd (block 64), 12.3× faster than
  /// naive [11.9, 12.8] (95% interval)").
  public func answers() -> [String] {
    var shapes: [AttentionShape] = []
    for entry in entries where !shapes.contains(entry.shape) { shapes.append(entry.shape) }
    return shapes.compactMap { shape in
      let indices = entries.indices.filter { entries[$0].shape == shape }
      guard
        let fastest = indices.min(by: {
          statistics[$0].medianSeconds < statistics[$1].medianSeconds
        })
      else { return nil }
      let entry = entries[fastest]
      let stats = statistics[fastest]
      let name = entry.blockSize.map { "\(entry.kernel) (block \($0))" } ?? entry.label
      let n = Self.sizeText(shape)
      let head =
        "N=\(n) d=\(shape.headDim): fastest \(name), \(Self.format(stats.medianSeconds * 1e3)) ms"
      guard entry.kernel != baselineKernel, let speedup = stats.speedup,
        let interval = stats.speedupInterval
      else {
        return entry.kernel == baselineKernel
          ? head + " (the baseline kernel)" : head + " (no \(baselineKernel) run to compare)"
      }
      let level = interval.levelPercent
      let word = speedup >= 1 ? "faster" : "slower"
      let factor = speedup >= 1 ? speedup : 1 / speedup
      let (low, high) =
        speedup >= 1 ? (interval.lower, interval.upper) : (1 / interval.upper, 1 / interval.lower)
      return head
        + ", \(Self.format(factor))× \(word) than \(baselineKernel) [\(Self.format(low)), \(Self.format(high))] (\(level)% interval)"
    }
  }

  /// A shape's sizes as the tables print them: `N` when square, else `Nq×Nk`.
  static func sizeText(_ shape: AttentionShape) -> String {
    shape.queries == shape.keys ? "\(shape.queries)" : "\(shape.queries)×\(shape.keys)"
  }

  /// Three significant digits, without exponent for ordinary magnitudes.
  static func format(_ value: Double) -> String {
    guard value.isFinite else { return "\(value)" }
    let magnitude = abs(value)
    let decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
    var text = String(value.rounded(toPlaces: decimals))
    if decimals == 0, text.hasSuffix(".0") { text.removeLast(2) }
    return text
  }
}

extension Double {
  fileprivate func rounded(toPlaces places: Int) -> Double {
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    return (self * scale).rounded() / scale
  }
}
