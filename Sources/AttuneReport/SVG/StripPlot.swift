/// Raw samples per category as jittered dots, with each category's median as a bar; one
/// category can be highlighted (such as the tuner's choice).
///
/// The jitter is deterministic, so the same data draws the same picture.
package struct StripPlot: Sendable {
  /// The title, shown above the plot and as the SVG's accessible title.
  package var title: String
  /// A one-sentence description of what is shown, for screen readers.
  package var summary: String
  /// What the categories are, as in `block size`.
  package var categoryLabel: String
  /// The categories, left to right.
  package var categories: [String]
  /// `samples[category]`.
  package var samples: [[Double]]
  /// The numeric axis.
  package var y: Axis
  /// The highlighted category and what it is called in the legend, if any.
  package var highlight: (index: Int, name: String)?
  /// Width in pixels.
  package var width = 600.0
  /// Height in pixels.
  package var height = 360.0

  /// A strip plot.
  package init(
    title: String, summary: String, categoryLabel: String, categories: [String],
    samples: [[Double]], y: Axis, highlight: (index: Int, name: String)? = nil
  ) {
    self.title = title
    self.summary = summary
    self.categoryLabel = categoryLabel
    self.categories = categories
    self.samples = samples
    self.y = y
    self.highlight = highlight
  }

  /// The chart as an `<svg>` element whose ids start with `id`.
  package func svg(id: String) -> String {
    let plain = Palette.colour(0)
    let marked = Palette.colour(3)
    var legend = [
      LegendEntry(name: "sample", colour: plain, sample: .dot),
      LegendEntry(name: "median", colour: Palette.ink, sample: .bar),
    ]
    if let highlight {
      legend.insert(LegendEntry(name: highlight.name, colour: marked, sample: .dot), at: 1)
    }
    let probe = ChartCanvas(
      id: id, width: width, height: height, title: title, summary: summary, legend: legend)
    let band = (probe.right - probe.left) / Double(max(categories.count, 1))
    let widest = categories.map { ChartCanvas.textWidth($0, size: 11) }.max() ?? 0
    var canvas = ChartCanvas(
      id: id, width: width, height: height, title: title, summary: summary, legend: legend,
      bottomSpace: widest > band * 0.95 ? 40 + widest * 0.6 : 50)
    let values = samples.flatMap { $0 }.filter { $0.isFinite && (!y.isLogarithmic || $0 > 0) }
    let yScale = Scale(axis: y, values: values, range: (canvas.bottom, canvas.top))
    canvas.yAxis(yScale, y)
    let centres = categories.indices.map { canvas.left + band * (Double($0) + 0.5) }
    for (c, centre) in centres.enumerated() where c < samples.count {
      let isMarked = highlight?.index == c
      let colour = isMarked ? marked : plain
      canvas.append("<g class=\"strip\" data-name=\"\(Markup.escape(categories[c]))\">")
      let kept = samples[c].filter { $0.isFinite && (!y.isLogarithmic || $0 > 0) }
      for (index, value) in kept.enumerated() {
        // Golden-ratio jitter: evenly spread, the same on every run.
        let fraction = (Double(index) * 0.618_033_988_75).truncatingRemainder(dividingBy: 1)
        let x = centre + (fraction - 0.5) * band * 0.55
        canvas.append(
          "<circle cx=\"\(NumberFormat.coordinate(x))\" cy=\"\(NumberFormat.coordinate(yScale(value)))\" r=\"2.6\" fill=\"\(colour)\" fill-opacity=\"0.55\"/>"
        )
      }
      if !kept.isEmpty {
        let sorted = kept.sorted()
        let middle = sorted.count / 2
        let median =
          sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        let level = yScale(median)
        canvas.line(
          centre - band * 0.35, level, centre + band * 0.35, level, stroke: Palette.ink, width: 2.5)
        canvas.append(
          "<title>\(Markup.escape(categories[c])): \(kept.count) samples, median \(NumberFormat.significant(median)) \(Markup.escape(y.unit))</title>"
        )
      }
      canvas.append("</g>")
    }
    canvas.frame()
    canvas.xCategories(categories, at: centres, band: band)
    canvas.xTitle(categoryLabel, numeric: false)
    return canvas.svg()
  }
}
