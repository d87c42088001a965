/// Renders rows of cells as an aligned text table: the first `leftAligned` columns padded on the
/// right, the others (numbers) on the left, a rule under the header row.
package enum TextTable {
  /// The table for `rows`, whose first row is the header.
  package static func render(_ rows: [[String]], leftAligned: Int) -> String {
    guard let header = rows.first else { return "" }
    let widths = header.indices.map { column in
      rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
    }
    return rows.enumerated().map { index, row in
      let line = row.enumerated().map { column, cell in
        let padding = String(repeating: " ", count: widths[column] - cell.count)
        return column < leftAligned ? cell + padding : padding + cell
      }.joined(separator: "  ")
      return index == 0 ? line + "\n" + String(repeating: "-", count: line.count) : line
    }.joined(separator: "\n")
  }
}
