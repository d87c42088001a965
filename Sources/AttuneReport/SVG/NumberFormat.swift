import Foundation

/// Deterministic, locale-independent number text for labels, cells and tables.
package enum NumberFormat {
  /// `value` with `digits` significant digits, without trailing zeros or an exponent between
  /// 1e-4 and 1e7 (`0.5`, `12.3`, `2048`, `1.2e-05`).
  package static func significant(_ value: Double, _ digits: Int = 3) -> String {
    guard value.isFinite else { return value.isNaN ? "–" : (value > 0 ? "∞" : "−∞") }
    if value == 0 { return "0" }
    let magnitude = abs(value)
    if magnitude >= 1e7 || magnitude < 1e-4 {
      return String(format: "%.\(max(digits - 1, 0))e", value)
    }
    let exponent = Int(log10(magnitude).rounded(.down))
    let decimals = max(digits - 1 - exponent, 0)
    return trimmed(String(format: "%.\(decimals)f", value))
  }

  /// `value` with exactly `decimals` decimals (`0.93`, `12.00`).
  package static func fixed(_ value: Double, _ decimals: Int) -> String {
    guard value.isFinite else { return "–" }
    return String(format: "%.\(decimals)f", value)
  }

  /// `value` as a percentage with `decimals` decimals (`99.7 %`).
  package static func percent(_ value: Double, _ decimals: Int = 1) -> String {
    guard value.isFinite else { return "–" }
    return "\(String(format: "%.\(decimals)f", value * 100)) %"
  }

  /// A coordinate in SVG: at most two decimals, no trailing zeros.
  static func coordinate(_ value: Double) -> String {
    guard value.isFinite else { return "0" }
    return trimmed(String(format: "%.2f", value))
  }

  private static func trimmed(_ text: String) -> String {
    guard text.contains(".") else { return text == "-0" ? "0" : text }
    var result = Substring(text)
    while result.last == "0" { result = result.dropLast() }
    if result.last == "." { result = result.dropLast() }
    return result == "-0" ? "0" : String(result)
  }
}
