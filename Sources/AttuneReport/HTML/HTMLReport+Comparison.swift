import AttuneBench

extension HTMLReport {
  /// One measured entry with its statistics.
  struct Row {
    let entry: ComparisonEntry
    let statistics: EntryStatistics
    var size: Int { entry.shape.queries }
  }

  /// The comparison's rows at its first head dimension (the study measures one).
  func comparisonRows() -> [Row] {
    let comparison = data.comparison
    let dim = comparison.entries.first?.shape.headDim
    return zip(comparison.entries, comparison.statistics).map(Row.init).filter {
      $0.entry.shape.headDim == dim
    }
  }

  /// Distinct values in order of first appearance.
  func ordered<T: Hashable>(_ values: [T]) -> [T] {
    var seen = Set<T>()
    return values.filter { seen.insert($0).inserted }
  }

  /// The fastest row (lowest median) of each kernel at each size.
  func fastestRows(_ rows: [Row]) -> [String: [Int: Row]] {
    var best: [String: [Int: Row]] = [:]
    for row in rows {
      if let current = best[row.entry.kernel]?[row.size],
        current.statistics.medianSeconds <= row.statistics.medianSeconds
      {
        continue
      }
      best[row.entry.kernel, default: [:]][row.size] = row
    }
    return best
  }

  func comparisonSection() -> String {
    let rows = comparisonRows()
    let kernels = ordered(rows.map(\.entry.kernel))
    let sizes = ordered(rows.map(\.size)).sorted()
    let best = fastestRows(rows)
    let dim = rows.first?.entry.shape.headDim ?? 0
    let unit = TimeUnit.fitting(rows.map(\.statistics.medianSeconds).min() ?? 1)
    let sizeAxisTicks = sizes.map(Double.init)
    let plan = data.comparison.plan
    var html = paragraph(
      "\(kernels.count) kernels on random square problems (Nq = Nk = N, d = \(dim)), \(plan.rounds) interleaved rounds: each round measures every configuration once in a new random order, so drift of the machine falls on all alike. For kernels with a block size, the lines show the fastest block size at each N. Error bars are distribution-free 95 % intervals for the median."
    )
    html += "<div class=\"figures\">\n"

    let timeSeries = kernels.map { kernel in
      LineChart.Series(
        kernel,
        sizes.compactMap { size in
          best[kernel]?[size].map { row in
            let s = row.statistics
            return LineChart.Point(
              x: Double(size), y: unit(s.medianSeconds), low: unit(s.medianInterval.lower),
              high: unit(s.medianInterval.upper),
              note:
                "\(row.entry.label), N = \(size): median \(NumberFormat.significant(unit(s.medianSeconds))) \(unit.symbol)"
            )
          }
        })
    }
    html += figure(
      LineChart(
        title: "Time per call by matrix size",
        summary: "Median time of each kernel against N, both axes logarithmic.",
        x: Axis("matrix size N", unit: "tokens", isLogarithmic: true, ticks: sizeAxisTicks),
        y: Axis("time per call", unit: unit.symbol, isLogarithmic: true), series: timeSeries
      ).svg(id: "compare-time"),
      caption:
        "Median time per call (log–log). Attention costs 4·N²·d floating-point operations, so every line should rise with slope 2."
    )

    let rateSeries = kernels.map { kernel in
      LineChart.Series(
        kernel,
        sizes.compactMap { size in
          best[kernel]?[size].map { row in
            let s = row.statistics
            let flops = row.entry.flops / 1e9
            return LineChart.Point(
              x: Double(size), y: s.gflops, low: flops / s.medianInterval.upper,
              high: flops / s.medianInterval.lower)
          }
        })
    }
    html += figure(
      LineChart(
        title: "Throughput by matrix size",
        summary: "GFLOP/s of each kernel at its median time against N.",
        x: Axis("matrix size N", unit: "tokens", isLogarithmic: true, ticks: sizeAxisTicks),
        y: Axis("throughput", unit: "GFLOP/s"), series: rateSeries
      ).svg(id: "compare-gflops"),
      caption: "Throughput at the median time: 4·N²·d operations divided by seconds.")

    let baseline = data.comparison.baselineKernel
    let speedupSeries = kernels.enumerated().filter { $1 != baseline }.map { style, kernel in
      LineChart.Series(
        kernel,
        sizes.compactMap { size in
          guard let row = best[kernel]?[size], let speedup = row.statistics.speedup else {
            return nil
          }
          return LineChart.Point(
            x: Double(size), y: speedup, low: row.statistics.speedupInterval?.lower,
            high: row.statistics.speedupInterval?.upper)
        }, style: style)
    }
    html += figure(
      LineChart(
        title: "Speedup over \(baseline)",
        summary: "Median of per-round time ratios against the \(baseline) kernel, by N.",
        x: Axis("matrix size N", unit: "tokens", isLogarithmic: true, ticks: sizeAxisTicks),
        y: Axis("speedup over \(baseline)", unit: "×", isLogarithmic: true),
        series: speedupSeries, referenceY: 1
      ).svg(id: "compare-speedup"),
      caption:
        "Median over rounds of (\(baseline) time / kernel time), measured in the same round, with a 95 % interval. The dashed line is 1 (as fast as \(baseline))."
    )

    let bars = BarChart(
      title: "Throughput by kernel and matrix size",
      summary: "Grouped bars of GFLOP/s per kernel at each N, with 95 % intervals.",
      categoryLabel: "matrix size N (tokens)", categories: sizes.map { "N = \($0)" },
      series: kernels, y: Axis("throughput", unit: "GFLOP/s"),
      values: sizes.map { size in
        kernels.map { kernel in
          best[kernel]?[size].map { row in
            let flops = row.entry.flops / 1e9
            return BarChart.Value(
              row.statistics.gflops, low: flops / row.statistics.medianInterval.upper,
              high: flops / row.statistics.medianInterval.lower)
          }
        }
      })
    html += figure(
      bars.svg(id: "compare-bars"),
      caption:
        "The same throughput as bars, each kernel at its fastest block size; error bars are the 95 % interval of the median turned into GFLOP/s."
    )
    html += "</div>\n"
    html += heatmaps(rows, sizes: sizes)
    html += strip(rows, sizes: sizes)
    html += comparisonTable(rows, unit: unit)
    return html
  }

  /// The report's heatmap (time by N × block size, averaged over the kernels that take a block
  /// size), then one per kernel.
  private func heatmaps(_ rows: [Row], sizes: [Int]) -> String {
    let blocked = rows.filter { $0.entry.blockSize != nil }
    let blockSizes = ordered(blocked.compactMap(\.entry.blockSize)).sorted()
    let kernels = ordered(blocked.map(\.entry.kernel))
    guard !blockSizes.isEmpty, !kernels.isEmpty else { return "" }
    func value(_ subset: [Row], _ size: Int, _ block: Int, _ unit: TimeUnit) -> Double? {
      let times = subset.filter { $0.size == size && $0.entry.blockSize == block }.map {
        unit($0.statistics.medianSeconds)
      }
      return times.isEmpty ? nil : times.reduce(0, +) / Double(times.count)
    }
    func heatmap(_ subset: [Row], title: String, id: String, width: Double) -> String {
      // Each heatmap in the unit of the geometric middle of its times: cells then read as
      // 0.05 … 300, not as six-digit counts of the smallest cell's unit.
      let times = subset.map(\.statistics.medianSeconds)
      let unit = TimeUnit.fitting(((times.min() ?? 1) * (times.max() ?? 1)).squareRoot())
      var chart = Heatmap(
        title: title,
        summary: "Median time per call for each matrix size and block size.",
        columnLabel: "block size (rows)", rowLabel: "matrix size N (tokens)",
        columns: blockSizes.map(String.init), rows: sizes.map(String.init),
        values: sizes.map { size in blockSizes.map { value(subset, size, $0, unit) } },
        value: Axis("time per call", unit: unit.symbol, isLogarithmic: true))
      chart.width = width
      chart.height = 90 + 40 * Double(sizes.count)
      return chart.svg(id: id)
    }
    var html = "<h3>Time by matrix size and block size</h3>\n<div class=\"figures\">\n"
    html += figure(
      heatmap(
        blocked, title: "Mean over kernels: \(kernels.joined(separator: ", "))",
        id: "heatmap-mean", width: 600),
      caption:
        "The seed report's heatmap, kept as it drew it: for each N and block size, the mean of the median times of the kernels that take a block size (the others left out). Averaging different kernels answers the seed's question (which block size suits this machine whatever the kernel) and lets the slowest kernel dominate each cell; read the per-kernel heatmaps below to choose a block size for one kernel. Empty cells: block sizes larger than N are not run. Colour is logarithmic in time."
    )
    html += "</div>\n<div class=\"figures\">\n"
    for kernel in kernels {
      html += figure(
        heatmap(
          blocked.filter { $0.entry.kernel == kernel }, title: "\(kernel): time per call",
          id: "heatmap-\(kernel)", width: 420),
        caption: "Median time per call of \(kernel) by N and block size.")
    }
    return html + "</div>\n"
  }

  /// Every raw sample at the largest N, per configuration.
  private func strip(_ rows: [Row], sizes: [Int]) -> String {
    guard let size = sizes.last else { return "" }
    let atSize = rows.filter { $0.size == size }
    guard
      let fastest = atSize.indices.min(by: {
        atSize[$0].statistics.medianSeconds < atSize[$1].statistics.medianSeconds
      })
    else { return "" }
    let indices = Dictionary(
      data.comparison.entries.enumerated().map { ($1.label, $0) }, uniquingKeysWith: { a, _ in a })
    let unit = TimeUnit.fitting(atSize.map(\.statistics.medianSeconds).min() ?? 1)
    let samples = atSize.map { row in
      let index = indices[row.entry.label]
      return data.comparison.samples.filter { $0.candidate == index }.map { unit($0.seconds) }
    }
    var chart = StripPlot(
      title: "Every sample at N = \(size)",
      summary: "Each configuration's raw samples as dots, with the median as a bar.",
      categoryLabel: "kernel and block size",
      categories: atSize.map { row in
        row.entry.blockSize.map { "\(row.entry.kernel) \($0)" } ?? row.entry.kernel
      },
      samples: samples, y: Axis("time per call", unit: unit.symbol, isLogarithmic: true),
      highlight: (fastest, "fastest configuration"))
    chart.width = 1000
    chart.height = 400
    return figure(
      chart.svg(id: "compare-samples"),
      caption:
        "Raw samples (one dot each, time per call) of every configuration at the largest N; the bar is the median. The spread shows how noisy the machine was; the fastest configuration is marked.",
      wide: true)
  }

  private func comparisonTable(_ rows: [Row], unit: TimeUnit) -> String {
    var table = HTMLTable(
      [
        "kernel", "configuration", "N", "d", "median (\(unit.symbol))",
        "95 % interval (\(unit.symbol))", "GFLOP/s", "speedup", "95 % interval", "samples",
        "extra memory (KiB)",
      ], numeric: [2, 3, 4, 5, 6, 7, 8, 9, 10])
    let kernels = ordered(rows.map(\.entry.kernel))
    func key(_ row: Row) -> (Int, Int, Int) {
      (row.size, kernels.firstIndex(of: row.entry.kernel) ?? 0, row.entry.blockSize ?? 0)
    }
    for row in rows.sorted(by: { key($0) < key($1) }) {
      let s = row.statistics
      table.add([
        row.entry.kernel, row.entry.label, "\(row.size)", "\(row.entry.shape.headDim)",
        NumberFormat.significant(unit(s.medianSeconds), 4),
        "\(NumberFormat.significant(unit(s.medianInterval.lower), 4))–\(NumberFormat.significant(unit(s.medianInterval.upper), 4))",
        NumberFormat.significant(s.gflops, 3),
        s.speedup.map { NumberFormat.significant($0, 3) } ?? "–",
        s.speedupInterval.map {
          "\(NumberFormat.significant($0.lower, 3))–\(NumberFormat.significant($0.upper, 3))"
        } ?? "–",
        "\(s.count)",
        row.entry.measuredMemoryBytes.map { NumberFormat.significant(Double($0) / 1024, 3) } ?? "–",
      ])
    }
    return table.folded(
      "Every configuration (\(rows.count)): median time per call with its distribution-free 95 % interval; speedup over \(data.comparison.baselineKernel) as the median of per-round ratios"
    )
  }
}
