/// A line chart: one or more series of (x, y) points on numeric axes, linear or logarithmic,
/// with optional error bars (such as 95 % intervals) at each point.
///
/// Series are told apart by colour, marker and dash; a legend names them when there is more
/// than one. Points with a non-finite y (or non-positive on a log axis) are left out.
package struct LineChart: Sendable {
  /// One point, with an optional interval drawn as an error bar.
  package struct Point: Sendable {
    /// Horizontal position, in the x axis's unit.
    package var x: Double
    /// Vertical position, in the y axis's unit.
    package var y: Double
    /// The interval's lower end, if any.
    package var low: Double?
    /// The interval's upper end, if any.
    package var high: Double?
    /// The text shown when hovering over the point (defaults to its coordinates).
    package var note: String?

    /// A point.
    package init(x: Double, y: Double, low: Double? = nil, high: Double? = nil, note: String? = nil)
    {
      self.x = x
      self.y = y
      self.low = low
      self.high = high
      self.note = note
    }
  }

  /// One named line.
  package struct Series: Sendable {
    /// Its name in the legend.
    package var name: String
    /// Its points, drawn in order of x.
    package var points: [Point]
    /// Its colour, marker and dash, by palette index (nil: its position), so one kernel keeps
    /// its look across charts that leave some series out.
    package var style: Int?

    /// A series.
    package init(_ name: String, _ points: [Point], style: Int? = nil) {
      self.name = name
      self.points = points
      self.style = style
    }
  }

  /// The title, shown above the plot and as the SVG's accessible title.
  package var title: String
  /// A one-sentence description of what is shown, for screen readers.
  package var summary: String
  /// The horizontal axis.
  package var x: Axis
  /// The vertical axis.
  package var y: Axis
  /// The series.
  package var series: [Series]
  /// A horizontal reference line (such as a ratio of 1), if any.
  package var referenceY: Double?
  /// Width in pixels.
  package var width = 600.0
  /// Height in pixels.
  package var height = 360.0

  /// A chart.
  package init(
    title: String, summary: String, x: Axis, y: Axis, series: [Series],
    referenceY: Double? = nil
  ) {
    self.title = title
    self.summary = summary
    self.x = x
    self.y = y
    self.series = series
    self.referenceY = referenceY
  }

  private func style(_ position: Int) -> Int { series[position].style ?? position }

  private func drawable(_ point: Point) -> Bool {
    point.x.isFinite && point.y.isFinite && (!x.isLogarithmic || point.x > 0)
      && (!y.isLogarithmic || point.y > 0)
  }

  /// The chart as an `<svg>` element whose ids start with `id`.
  package func svg(id: String) -> String {
    let legend =
      series.count > 1
      ? series.indices.map {
        LegendEntry(
          name: series[$0].name, colour: Palette.colour(style($0)),
          sample: .line(series: style($0)))
      } : []
    var canvas = ChartCanvas(
      id: id, width: width, height: height, title: title, summary: summary, legend: legend)
    canvas.seriesCount = series.count
    let points = series.flatMap(\.points).filter(drawable)
    let xs = points.map(\.x)
    let ys =
      points.flatMap { [$0.y] + [$0.low, $0.high].compactMap { $0 } }
      + [referenceY].compactMap { $0 }
    let xScale = Scale(axis: x, values: xs, range: (canvas.left + 8, canvas.right - 8))
    let yScale = Scale(
      axis: y, values: y.isLogarithmic ? ys.filter { $0 > 0 } : ys,
      range: (canvas.bottom, canvas.top))
    canvas.xAxis(xScale, x)
    canvas.yAxis(yScale, y)
    canvas.frame()
    if let referenceY {
      let level = yScale(referenceY)
      canvas.line(canvas.left, level, canvas.right, level, stroke: Palette.muted, dash: "3 3")
    }
    for (position, line) in series.enumerated() {
      let index = style(position)
      let colour = Palette.colour(index)
      let kept = line.points.filter(drawable).sorted { $0.x < $1.x }
      canvas.append("<g class=\"series\" data-name=\"\(Markup.escape(line.name))\">")
      if kept.count > 1 {
        canvas.polyline(
          kept.map { (xScale($0.x), yScale($0.y)) }, stroke: colour, dash: Palette.dash(index))
      }
      for point in kept {
        if let low = point.low, let high = point.high, low.isFinite, high.isFinite {
          canvas.errorBar(x: xScale(point.x), low: yScale(low), high: yScale(high), colour: colour)
        }
      }
      for point in kept {
        let note =
          point.note
          ?? "\(line.name): \(NumberFormat.significant(point.x)) \(x.unit), \(NumberFormat.significant(point.y)) \(y.unit)"
        canvas.marker(
          series: index, x: xScale(point.x), y: yScale(point.y), colour: colour,
          radius: kept.count > 40 ? 2.5 : 4, tooltip: note)
      }
      canvas.append("</g>")
    }
    return canvas.svg()
  }
}
