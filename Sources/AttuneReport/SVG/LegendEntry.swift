/// One line of a chart's legend.
struct LegendEntry {
  /// How the entry's sample is drawn.
  enum Sample {
    /// A line with the series' marker and dash.
    case line(series: Int)
    /// A filled square, as for bars.
    case swatch
    /// A dot.
    case dot
    /// A short horizontal bar, as for a median.
    case bar
  }

  /// The text.
  let name: String
  /// Its colour.
  let colour: String
  /// Its sample.
  let sample: Sample
}
