import Foundation

/// The rules every chart keeps, as issue 5 states them: it parses as XML, has a title (the
/// accessible `<title>` and the visible one agree), labelled axes with units, and a legend when
/// it shows more than one series. Returns what is wrong, empty when nothing is.
enum ChartRules {
  static func problems(_ svg: String) -> [String] {
    let root: XMLElement
    switch XMLElement.parse(svg) {
    case .success(let element): root = element
    case .failure(let failure):
      return ["not well-formed XML at line \(failure.line): \(failure.description)"]
    }
    let id = root.attributes["id"] ?? "(no id)"
    var problems: [String] = []
    if root.name != "svg" { problems.append("\(id): root is <\(root.name)>") }
    if root.attributes["xmlns"] != "http://www.w3.org/2000/svg" {
      problems.append("\(id): no SVG namespace")
    }
    let title = root.children.first { $0.name == "title" }?.fullText ?? ""
    if title.isEmpty { problems.append("\(id): no <title>") }
    let visible = root.withClass("chart-title").map(\.fullText)
    if visible != [title] { problems.append("\(id): visible title \(visible) ≠ \(title)") }
    let axes = root.withClass("axis-title")
    let x = axes.filter { $0.attributes["class"]?.contains(" x ") == true }
    let y = axes.filter { $0.attributes["class"]?.contains(" y ") == true }
    if x.count != 1 || y.count != 1 {
      problems.append("\(id): \(x.count) x-axis and \(y.count) y-axis titles")
    }
    for axis in axes where axis.attributes["class"]?.contains("numeric") == true {
      let text = axis.fullText
      let hasUnit =
        text.hasSuffix(")") && text.contains(" (")
        && !(text.split(separator: "(").last?.dropLast().isEmpty ?? true)
      if !hasUnit { problems.append("\(id): numeric axis '\(text)' has no unit") }
    }
    for axis in axes where axis.fullText.trimmingCharacters(in: .whitespaces).isEmpty {
      problems.append("\(id): an axis title is empty")
    }
    let series = Int(root.attributes["data-series"] ?? "") ?? 0
    if series < 1 { problems.append("\(id): no data-series count") }
    if series > 1 {
      let entries = root.withClass("legend").flatMap { $0.all.filter { $0.name == "text" } }
      if entries.count < series {
        problems.append("\(id): \(series) series but \(entries.count) legend entries")
      }
    }
    if svg.contains("nan") || svg.contains("inf\"") {
      problems.append("\(id): a coordinate is not finite")
    }
    return problems
  }
}
