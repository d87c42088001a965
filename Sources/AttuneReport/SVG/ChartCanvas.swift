import Foundation

/// The drawing surface every chart shares: the root element with its accessible title and
/// description, the visible title, the plot frame, axes with ticks and labels, and the legend.
///
/// Text is real SVG text, so it can be selected and searched. Elements carry classes
/// (`chart-title`, `axis-title`, `legend`) that the tests look for.
struct ChartCanvas {
  /// The identifier, unique within a page (used for the title's and description's ids).
  let id: String
  /// Size in pixels.
  let width: Double
  let height: Double
  /// The plot area.
  private(set) var left = 70.0
  private(set) var top = 46.0
  private(set) var right: Double
  private(set) var bottom: Double
  /// How many data series the chart shows (written as `data-series`, so tests can check that a
  /// chart with several has a legend).
  var seriesCount = 1
  private var body = ""
  private let title: String
  private let summary: String
  private var legendEntries: [LegendEntry]

  /// A canvas with room for `legend` (and `reservedRight` more pixels) on the right and
  /// `bottomSpace` pixels under the plot.
  init(
    id: String, width: Double, height: Double, title: String, summary: String,
    legend: [LegendEntry], bottomSpace: Double = 50, reservedRight: Double = 0
  ) {
    self.id = id
    self.width = width
    self.height = height
    self.title = title
    self.summary = summary
    legendEntries = legend
    let longest = legend.map { Self.textWidth($0.name, size: 12) }.max() ?? 0
    right = width - 18 - reservedRight - (legend.isEmpty ? 0 : longest + 44)
    bottom = height - bottomSpace
  }

  /// Approximate width of `text` at `size` pixels in a sans-serif face.
  static func textWidth(_ text: String, size: Double) -> Double {
    Double(text.count) * size * 0.56
  }

  // MARK: - Elements

  mutating func append(_ element: String) { body += element + "\n" }

  private static func attributes(_ pairs: [(String, String?)]) -> String {
    pairs.compactMap { name, value in value.map { " \(name)=\"\(Markup.escape($0))\"" } }
      .joined()
  }

  private static func number(_ value: Double) -> String { NumberFormat.coordinate(value) }

  mutating func line(
    _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String,
    width: Double = 1, dash: String? = nil
  ) {
    append(
      "<line x1=\"\(Self.number(x1))\" y1=\"\(Self.number(y1))\" x2=\"\(Self.number(x2))\" y2=\"\(Self.number(y2))\""
        + Self.attributes([
          ("stroke", stroke), ("stroke-width", Self.number(width)), ("stroke-dasharray", dash),
        ]) + "/>")
  }

  mutating func rect(
    _ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String, stroke: String? = nil,
    tooltip: String? = nil
  ) {
    let open =
      "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(w, 0)))\" height=\"\(Self.number(max(h, 0)))\""
      + Self.attributes([("fill", fill), ("stroke", stroke)])
    append(tooltip.map { open + "><title>\(Markup.escape($0))</title></rect>" } ?? open + "/>")
  }

  mutating func polyline(_ points: [(Double, Double)], stroke: String, dash: String?) {
    let list = points.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
    append(
      "<polyline points=\"\(list)\" fill=\"none\""
        + Self.attributes([
          ("stroke", stroke), ("stroke-width", "2"), ("stroke-dasharray", dash),
          ("stroke-linejoin", "round"),
        ]) + "/>")
  }

  /// Text at (x, y); `anchor` is start, middle or end.
  mutating func text(
    _ content: String, x: Double, y: Double, anchor: String = "start", size: Double = 12,
    fill: String = Palette.ink, weight: String? = nil, rotate: Double? = nil,
    className: String? = nil
  ) {
    let transform = rotate.map {
      "rotate(\(Self.number($0)) \(Self.number(x)) \(Self.number(y)))"
    }
    append(
      "<text x=\"\(Self.number(x))\" y=\"\(Self.number(y))\""
        + Self.attributes([
          ("class", className), ("text-anchor", anchor == "start" ? nil : anchor),
          ("font-size", size == 12 ? nil : Self.number(size)),
          ("fill", fill == Palette.ink ? nil : fill), ("font-weight", weight),
          ("transform", transform),
        ]) + ">\(Markup.escape(content))</text>")
  }

  /// Marker `series` (circle, square, triangle, diamond, inverted triangle, cycling) at (x, y).
  mutating func marker(
    series: Int, x: Double, y: Double, colour: String, radius: Double = 4, tooltip: String? = nil
  ) {
    let r = radius
    let shape: String
    switch series % 5 {
    case 0:
      shape = "<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(r))\""
    case 1:
      shape =
        "<rect x=\"\(Self.number(x - r))\" y=\"\(Self.number(y - r))\" width=\"\(Self.number(2 * r))\" height=\"\(Self.number(2 * r))\""
    case 2:
      shape =
        "<polygon points=\"\(Self.number(x)),\(Self.number(y - r * 1.2)) \(Self.number(x + r * 1.1)),\(Self.number(y + r * 0.8)) \(Self.number(x - r * 1.1)),\(Self.number(y + r * 0.8))\""
    case 3:
      shape =
        "<polygon points=\"\(Self.number(x)),\(Self.number(y - r * 1.3)) \(Self.number(x + r * 1.3)),\(Self.number(y)) \(Self.number(x)),\(Self.number(y + r * 1.3)) \(Self.number(x - r * 1.3)),\(Self.number(y))\""
    default:
      shape =
        "<polygon points=\"\(Self.number(x)),\(Self.number(y + r * 1.2)) \(Self.number(x + r * 1.1)),\(Self.number(y - r * 0.8)) \(Self.number(x - r * 1.1)),\(Self.number(y - r * 0.8))\""
    }
    let open = shape + " fill=\"\(colour)\" stroke=\"#ffffff\" stroke-width=\"0.8\""
    append(
      tooltip.map { open + "><title>\(Markup.escape($0))</title>" + closing(shape) } ?? open + "/>")
  }

  private func closing(_ shape: String) -> String {
    shape.hasPrefix("<circle") ? "</circle>" : shape.hasPrefix("<rect") ? "</rect>" : "</polygon>"
  }

  /// A vertical error bar from `low` to `high` at x, with caps.
  mutating func errorBar(x: Double, low: Double, high: Double, colour: String) {
    line(x, low, x, high, stroke: colour, width: 1.4)
    line(x - 4, low, x + 4, low, stroke: colour, width: 1.4)
    line(x - 4, high, x + 4, high, stroke: colour, width: 1.4)
  }

  // MARK: - Axes

  /// A numeric x axis along the bottom of the plot: grid, ticks, tick labels, title.
  mutating func xAxis(_ scale: Scale, _ axis: Axis) {
    for tick in scale.ticks(axis) {
      let x = scale(tick)
      line(x, top, x, bottom, stroke: Palette.grid)
      line(x, bottom, x, bottom + 5, stroke: Palette.ink)
      text(NumberFormat.significant(tick), x: x, y: bottom + 18, anchor: "middle", size: 11)
    }
    xTitle(axis.title, numeric: true)
  }

  /// The x axis's title, centred under the plot.
  mutating func xTitle(_ title: String, numeric: Bool) {
    text(
      title, x: (left + right) / 2, y: height - 10, anchor: "middle",
      className: numeric ? "axis-title x numeric" : "axis-title x categorical")
  }

  /// A numeric y axis along the left of the plot: grid, ticks, tick labels, title.
  mutating func yAxis(_ scale: Scale, _ axis: Axis) {
    for tick in scale.ticks(axis) {
      let y = scale(tick)
      line(left, y, right, y, stroke: Palette.grid)
      line(left - 5, y, left, y, stroke: Palette.ink)
      text(NumberFormat.significant(tick), x: left - 8, y: y + 4, anchor: "end", size: 11)
    }
    yTitle(axis.title, numeric: true)
  }

  /// The y axis's title, rotated, centred beside the plot.
  mutating func yTitle(_ title: String, numeric: Bool) {
    text(
      title, x: 16, y: (top + bottom) / 2, anchor: "middle", rotate: -90,
      className: numeric ? "axis-title y numeric" : "axis-title y categorical")
  }

  /// Category labels under the plot at `positions`, rotated when they would overlap.
  mutating func xCategories(_ labels: [String], at positions: [Double], band: Double) {
    let widest = labels.map { Self.textWidth($0, size: 11) }.max() ?? 0
    let rotated = widest > band * 0.95
    for (label, x) in zip(labels, positions) {
      line(x, bottom, x, bottom + 5, stroke: Palette.ink)
      if rotated {
        text(label, x: x + 3, y: bottom + 14, anchor: "end", size: 11, rotate: -35)
      } else {
        text(label, x: x, y: bottom + 18, anchor: "middle", size: 11)
      }
    }
  }

  /// The frame's left and bottom lines.
  mutating func frame() {
    line(left, top, left, bottom, stroke: Palette.ink)
    line(left, bottom, right, bottom, stroke: Palette.ink)
  }

  // MARK: - Output

  private mutating func drawLegend() {
    guard !legendEntries.isEmpty else { return }
    let x = right + 18
    var body = "<g class=\"legend\">\n"
    swap(&body, &self.body)
    for (index, entry) in legendEntries.enumerated() {
      let y = top + 8 + Double(index) * 19
      switch entry.sample {
      case .line(let series):
        line(x, y, x + 26, y, stroke: entry.colour, width: 2, dash: Palette.dash(series))
        marker(series: series, x: x + 13, y: y, colour: entry.colour)
      case .swatch:
        rect(x + 6, y - 6, 14, 12, fill: entry.colour)
      case .dot:
        append(
          "<circle cx=\"\(Self.number(x + 13))\" cy=\"\(Self.number(y))\" r=\"3\" fill=\"\(entry.colour)\"/>"
        )
      case .bar:
        line(x + 3, y, x + 23, y, stroke: entry.colour, width: 2.5)
      }
      text(entry.name, x: x + 32, y: y + 4)
    }
    swap(&body, &self.body)
    self.body += body + "</g>\n"
  }

  /// The finished SVG element.
  mutating func svg() -> String {
    drawLegend()
    let w = Self.number(width)
    let h = Self.number(height)
    return """
      <svg xmlns="http://www.w3.org/2000/svg" id="\(Markup.escape(id))" class="chart" data-series="\(seriesCount)" \
      viewBox="0 0 \(w) \(h)" width="\(w)" height="\(h)" role="img" \
      aria-labelledby="\(Markup.escape(id))-title \(Markup.escape(id))-desc" \
      font-family="DejaVu Sans, Verdana, system-ui, sans-serif" font-size="12" fill="\(Palette.ink)">
      <title id="\(Markup.escape(id))-title">\(Markup.escape(title))</title>
      <desc id="\(Markup.escape(id))-desc">\(Markup.escape(summary))</desc>
      <rect width="\(w)" height="\(h)" fill="#ffffff"/>
      <text class="chart-title" x="\(Self.number(left))" y="26" font-size="15" font-weight="bold">\(Markup.escape(title))</text>
      \(body)</svg>
      """
  }
}
