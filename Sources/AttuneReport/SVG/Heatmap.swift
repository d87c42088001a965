/// A heatmap: a value per (row, column) as a colour on a viridis scale, with the value written in
/// each cell and a colour bar that gives the scale and unit.
package struct Heatmap: Sendable {
  /// The title, shown above the plot and as the SVG's accessible title.
  package var title: String
  /// A one-sentence description of what is shown, for screen readers.
  package var summary: String
  /// What the columns are, with a unit, as in `block size (rows)`.
  package var columnLabel: String
  /// What the rows are, with a unit, as in `matrix size N (tokens)`.
  package var rowLabel: String
  /// Column names, left to right.
  package var columns: [String]
  /// Row names, top to bottom.
  package var rows: [String]
  /// `values[row][column]`, nil for an empty cell.
  package var values: [[Double?]]
  /// The values' meaning and unit, as in `time per call` and `ms`.
  package var value: Axis
  /// Width in pixels.
  package var width = 600.0
  /// Height in pixels.
  package var height = 360.0

  /// A heatmap; a logarithmic `value` axis colours by the logarithm.
  package init(
    title: String, summary: String, columnLabel: String, rowLabel: String, columns: [String],
    rows: [String], values: [[Double?]], value: Axis
  ) {
    self.title = title
    self.summary = summary
    self.columnLabel = columnLabel
    self.rowLabel = rowLabel
    self.columns = columns
    self.rows = rows
    self.values = values
    self.value = value
  }

  /// The chart as an `<svg>` element whose ids start with `id`.
  package func svg(id: String) -> String {
    var canvas = ChartCanvas(
      id: id, width: width, height: height, title: title, summary: summary, legend: [],
      reservedRight: 96)
    let finite = values.flatMap { $0.compactMap { $0 } }.filter {
      $0.isFinite && (!value.isLogarithmic || $0 > 0)
    }
    let low = finite.min() ?? 0
    let high = finite.max() ?? 1
    let colours = ColourScale(domain: low...max(high, low), isLogarithmic: value.isLogarithmic)
    let cellWidth = (canvas.right - canvas.left) / Double(max(columns.count, 1))
    let cellHeight = (canvas.bottom - canvas.top) / Double(max(rows.count, 1))
    for (r, row) in rows.enumerated() {
      let y = canvas.top + cellHeight * Double(r)
      canvas.text(row, x: canvas.left - 8, y: y + cellHeight / 2 + 4, anchor: "end", size: 11)
      for (c, column) in columns.enumerated() {
        let x = canvas.left + cellWidth * Double(c)
        let cell = r < values.count && c < values[r].count ? values[r][c] : nil
        guard let cell, cell.isFinite else {
          canvas.rect(x + 1, y + 1, cellWidth - 2, cellHeight - 2, fill: "#f2f2f2")
          canvas.text(
            "–", x: x + cellWidth / 2, y: y + cellHeight / 2 + 4, anchor: "middle",
            fill: Palette.muted)
          continue
        }
        let note =
          "\(rowLabel) \(row), \(columnLabel) \(column): \(NumberFormat.significant(cell)) \(value.unit)"
        canvas.rect(
          x + 1, y + 1, cellWidth - 2, cellHeight - 2, fill: colours.colour(cell), tooltip: note)
        canvas.text(
          NumberFormat.significant(cell), x: x + cellWidth / 2, y: y + cellHeight / 2 + 4,
          anchor: "middle", size: min(12, cellHeight * 0.45),
          fill: colours.wantsLightText(cell) ? "#ffffff" : "#000000")
      }
    }
    let centres = columns.indices.map { canvas.left + cellWidth * (Double($0) + 0.5) }
    canvas.xCategories(columns, at: centres, band: cellWidth)
    canvas.xTitle(columnLabel, numeric: false)
    canvas.yTitle(rowLabel, numeric: false)
    drawColourBar(&canvas, colours, low: low, high: high)
    return canvas.svg()
  }

  private func drawColourBar(
    _ canvas: inout ChartCanvas, _ colours: ColourScale, low: Double, high: Double
  ) {
    let x = canvas.right + 20
    let barTop = canvas.top
    let barHeight = canvas.bottom - canvas.top
    let steps = 24
    canvas.append("<g class=\"legend colour-bar\">")
    for step in 0..<steps {
      let position = 1 - (Double(step) + 0.5) / Double(steps)
      canvas.rect(
        x, barTop + barHeight * Double(step) / Double(steps), 16,
        barHeight / Double(steps) + 0.5, fill: colours.colour(atPosition: position))
    }
    let axis = Axis(value.label, unit: value.unit, isLogarithmic: colours.isLogarithmic)
    let scale = Scale(axis: axis, values: [low, high], range: (barTop + barHeight, barTop))
    let exact = Scale(
      exactDomain: (colours.domain.lowerBound, colours.domain.upperBound),
      range: (barTop + barHeight, barTop), isLogarithmic: colours.isLogarithmic)
    // Round ticks inside the range, and the range's two ends unless a round tick is close.
    var ticks = scale.ticks(axis).filter { $0 >= low && $0 <= high }
    for end in [low, high] where !ticks.contains(where: { abs(exact($0) - exact(end)) < 12 }) {
      ticks.append(end)
    }
    for tick in ticks.sorted() {
      let y = exact(tick)
      canvas.line(x + 16, y, x + 20, y, stroke: Palette.ink)
      canvas.text(NumberFormat.significant(tick, 2), x: x + 22, y: y + 4, size: 10)
    }
    canvas.text(
      value.title, x: x + 66, y: barTop + barHeight / 2, anchor: "middle", size: 11, rotate: 90,
      className: "axis-title colour numeric")
    canvas.append("</g>")
  }
}
