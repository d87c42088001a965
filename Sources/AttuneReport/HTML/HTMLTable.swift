/// An HTML table of text cells; numeric columns are right-aligned.
struct HTMLTable {
  /// Column headings.
  let header: [String]
  /// Rows of cells, each as long as `header`.
  var rows: [[String]] = []
  /// Indices of columns aligned right.
  let numericColumns: Set<Int>
  /// Indices of columns of long text, wrapped so the table fits the page.
  let wrappingColumns: Set<Int>

  init(_ header: [String], numeric: Set<Int> = [], wrapping: Set<Int> = []) {
    self.header = header
    numericColumns = numeric
    wrappingColumns = wrapping
  }

  mutating func add(_ row: [String]) { rows.append(row) }

  /// The table folded under a `<details>` summary (open it to read; no script needed).
  func folded(_ summary: String) -> String {
    "<details>\n<summary>\(Markup.escape(summary))</summary>\n\(html())\n</details>\n"
  }

  /// The `<table>` element, with `caption` if given.
  func html(caption: String? = nil) -> String {
    func cell(_ tag: String, _ text: String, _ column: Int) -> String {
      let kind =
        numericColumns.contains(column)
        ? " class=\"num\"" : wrappingColumns.contains(column) ? " class=\"wrap\"" : ""
      return "<\(tag)\(kind)>\(Markup.escape(text))</\(tag)>"
    }
    var lines = ["<div class=\"table-wrap\"><table>"]
    if let caption { lines.append("<caption>\(Markup.escape(caption))</caption>") }
    lines.append(
      "<thead><tr>" + header.enumerated().map { cell("th", $1, $0) }.joined() + "</tr></thead>")
    lines.append("<tbody>")
    for row in rows {
      lines.append("<tr>" + row.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>")
    }
    lines.append("</tbody></table></div>")
    return lines.joined(separator: "\n")
  }
}
