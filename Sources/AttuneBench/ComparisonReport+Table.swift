extension ComparisonReport {
  /// An aligned text table: one row per entry, grouped by shape.
  ///
  /// Columns: kernel, N (Nq = Nk when square, else `Nq×Nk`), d, block, median time with its 95 %
  /// interval, GFLOP/s at the median, speedup over the baseline with its interval, memory.
  public func table() -> String {
    var rows: [[String]] = [
      [
        "kernel", "N", "d", "block", "median ms", "95% CI ms", "GFLOP/s",
        "speedup vs \(baselineKernel)", "95% CI", "memory MiB",
      ]
    ]
    for (entry, stats) in zip(entries, statistics) {
      let shape = entry.shape
      let n = shape.queries == shape.keys ? "\(shape.queries)" : "\(shape.queries)×\(shape.keys)"
      let d =
        shape.headDim == shape.valueDim ? "\(shape.headDim)" : "\(shape.headDim)/\(shape.valueDim)"
      let interval = stats.medianInterval
      rows.append([
        entry.label, n, d, entry.blockSize.map(String.init) ?? "-",
        Self.format(stats.medianSeconds * 1e3),
        "\(Self.format(interval.lower * 1e3))–\(Self.format(interval.upper * 1e3))",
        Self.format(stats.gflops),
        stats.speedup.map { Self.format($0) + "×" } ?? "-",
        stats.speedupInterval.map { "\(Self.format($0.lower))–\(Self.format($0.upper))" } ?? "-",
        entry.measuredMemoryBytes.map { Self.format(Double($0) / 1_048_576) } ?? "-",
      ])
    }
    return TextTable.render(rows, leftAligned: 1)
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
