/// A unit for durations, chosen so the values on a chart or in a table read as small numbers.
package struct TimeUnit: Sendable, Hashable {
  /// The unit's symbol: `s`, `ms`, `µs` or `ns`.
  package let symbol: String
  /// Units per second.
  package let perSecond: Double

  /// The largest unit in which `seconds` is at least 1 (nanoseconds at the least).
  package static func fitting(_ seconds: Double) -> TimeUnit {
    let units = [
      TimeUnit(symbol: "s", perSecond: 1), TimeUnit(symbol: "ms", perSecond: 1e3),
      TimeUnit(symbol: "µs", perSecond: 1e6),
    ]
    return units.first { seconds.isFinite && seconds * $0.perSecond >= 1 }
      ?? TimeUnit(symbol: "ns", perSecond: 1e9)
  }

  /// `seconds` in this unit.
  package func callAsFunction(_ seconds: Double) -> Double { seconds * perSecond }
}
