/// A numeric axis: its label and unit (shown as `label (unit)`), and how values are placed.
package struct Axis: Sendable {
  /// What the axis measures, as in `time per call`.
  package var label: String
  /// Its unit, as in `ms`; every numeric axis has one (`count` for counts).
  package var unit: String
  /// Whether values are placed by their logarithm.
  package var isLogarithmic: Bool
  /// Tick values; nil chooses them from the data.
  package var ticks: [Double]?
  /// Whether a linear axis starts at zero.
  package var includesZero: Bool

  /// An axis.
  package init(
    _ label: String, unit: String, isLogarithmic: Bool = false, ticks: [Double]? = nil,
    includesZero: Bool = true
  ) {
    self.label = label
    self.unit = unit
    self.isLogarithmic = isLogarithmic
    self.ticks = ticks
    self.includesZero = includesZero
  }

  /// `label (unit)`.
  package var title: String { "\(label) (\(unit))" }

  /// Whether the values are whole numbers (`count` and `index` axes): ticks then never fall
  /// between two of them.
  package var countsWholeNumbers: Bool { unit == "count" || unit == "index" }
}
