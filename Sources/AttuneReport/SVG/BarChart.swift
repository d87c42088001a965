/// Grouped bars: one group per category, one bar per series, each with an optional interval
/// drawn as an error bar (such as a 95 % confidence interval).
///
/// A legend names the series when there is more than one. Missing or non-finite values leave
/// a gap.
package struct BarChart: Sendable {
  /// One bar's value and optional interval.
  package struct Value: Sendable {
    /// The bar's height.
    package var value: Double
    /// The interval's lower end, if any.
    package var low: Double?
    /// The interval's upper end, if any.
    package var high: Double?

    /// A value.
    package init(_ value: Double, low: Double? = nil, high: Double? = nil) {
      self.value = value
      self.low = low
      self.high = high
    }
  }

  /// The title, shown above the plot and as the SVG's accessible title.
  package var title: String
  /// A one-sentence description of what is shown, for screen readers.
  package var summary: String
  /// What the categories are, as in `kernel`.
  package var categoryLabel: String
  /// The categories, left to right.
  package var categories: [String]
  /// The series' names.
  package var series: [String]
  /// The numeric axis.
  package var y: Axis
  /// `values[category][series]`, nil where there is no bar.
  package var values: [[Value?]]
  /// Width in pixels.
  package var width = 600.0
  /// Height in pixels.
  package var height = 360.0

  /// A chart.
  package init(
    title: String, summary: String, categoryLabel: String, categories: [String],
    series: [String], y: Axis, values: [[Value?]]
  ) {
    self.title = title
    self.summary = summary
    self.categoryLabel = categoryLabel
    self.categories = categories
    self.series = series
    self.y = y
    self.values = values
  }

  /// The chart as an `<svg>` element whose ids start with `id`.
  package func svg(id: String) -> String {
    let legend =
      series.count > 1
      ? series.indices.map {
        LegendEntry(name: series[$0], colour: Palette.colour($0), sample: .swatch)
      } : []
    let probe = ChartCanvas(
      id: id, width: width, height: height, title: title, summary: summary, legend: legend)
    let band = (probe.right - probe.left) / Double(max(categories.count, 1))
    let widest = categories.map { ChartCanvas.textWidth($0, size: 11) }.max() ?? 0
    let bottomSpace = widest > band * 0.95 ? 40 + widest * 0.6 : 50
    var canvas = ChartCanvas(
      id: id, width: width, height: height, title: title, summary: summary, legend: legend,
      bottomSpace: bottomSpace)
    canvas.seriesCount = series.count
    let all = values.flatMap { $0.compactMap { $0 } }
    let numbers = all.flatMap { [$0.value] + [$0.low, $0.high].compactMap { $0 } }.filter {
      $0.isFinite && (!y.isLogarithmic || $0 > 0)
    }
    let yScale = Scale(axis: y, values: numbers, range: (canvas.bottom, canvas.top))
    canvas.yAxis(yScale, y)
    let groupWidth = band * 0.8
    let barWidth = groupWidth / Double(max(series.count, 1))
    let centres = categories.indices.map { canvas.left + band * (Double($0) + 0.5) }
    let floor = yScale.isLogarithmic ? canvas.bottom : yScale(0)
    for (c, centre) in centres.enumerated() where c < values.count {
      for (s, cell) in values[c].enumerated() {
        guard let cell, cell.value.isFinite, !y.isLogarithmic || cell.value > 0 else { continue }
        let x = centre - groupWidth / 2 + barWidth * Double(s)
        let top = yScale(cell.value)
        var note = "\(categories[c])"
        if series.count > 1 { note += ", \(series[s])" }
        note += ": \(NumberFormat.significant(cell.value)) \(y.unit)"
        if let low = cell.low, let high = cell.high {
          note += " (\(NumberFormat.significant(low))–\(NumberFormat.significant(high)))"
        }
        canvas.rect(
          x + 1, min(top, floor), barWidth - 2, abs(floor - top), fill: Palette.colour(s),
          tooltip: note)
        if let low = cell.low, let high = cell.high, low.isFinite, high.isFinite {
          canvas.errorBar(
            x: x + barWidth / 2, low: yScale(low), high: yScale(high), colour: Palette.ink)
        }
      }
    }
    canvas.frame()
    canvas.xCategories(categories, at: centres, band: band)
    canvas.xTitle(categoryLabel, numeric: false)
    return canvas.svg()
  }
}
