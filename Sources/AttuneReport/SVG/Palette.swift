/// Colours for series, told apart by colour-blind readers: Okabe and Ito's eight-colour palette
/// (blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black), in an order
/// that puts the most distinct first. Series are also told apart by marker and dash.
package enum Palette {
  /// Series colours, in order.
  package static let series = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000", "#F0E442",
  ]

  /// The colour of series `index`.
  package static func colour(_ index: Int) -> String { series[index % series.count] }

  /// The dash pattern of series `index` (`nil` for solid), so lines differ without colour.
  static func dash(_ index: Int) -> String? {
    [nil, "7 3", "2 3", "9 3 2 3", "4 4", nil, "7 3", "2 3"][index % 8]
  }

  /// Ink for text and axes.
  static let ink = "#222222"
  /// Grid lines.
  static let grid = "#e3e3e3"
  /// Secondary text.
  static let muted = "#555555"
}
