import Foundation

/// Maps values of a numeric domain onto pixels, linearly or by logarithm, and picks ticks.
package struct Scale {
  /// The data values at the two ends.
  let domain: (low: Double, high: Double)
  /// The pixels of the two ends (high may be smaller than low, as on a y axis).
  let range: (low: Double, high: Double)
  /// Whether values are placed by their logarithm.
  let isLogarithmic: Bool

  /// A scale for `axis` covering `values` (finite ones; positive ones on a log axis), padded so
  /// no point sits on the frame.
  init(axis: Axis, values: [Double], range: (Double, Double)) {
    self.range = range
    let ticks = axis.ticks ?? []
    var data = (values + ticks).filter(\.isFinite)
    if axis.isLogarithmic { data = data.filter { $0 > 0 } }
    isLogarithmic = axis.isLogarithmic && !data.isEmpty
    var low = data.min() ?? 0
    var high = data.max() ?? 1
    if isLogarithmic {
      if high <= low {
        low /= 2
        high *= 2
      }
      let pad = pow(high / low, 0.06)
      domain = (low / pad, high * pad)
    } else {
      if axis.includesZero { low = min(low, 0) }
      if high <= low { high = low + 1 }
      let pad = (high - low) * 0.05
      domain = (axis.includesZero && low == 0 ? 0 : low - pad, high + pad)
    }
  }

  /// A scale whose domain is exactly `domain`.
  init(exactDomain domain: (Double, Double), range: (Double, Double), isLogarithmic: Bool) {
    self.domain = domain
    self.range = range
    self.isLogarithmic = isLogarithmic
  }

  /// The pixel of `value`.
  func callAsFunction(_ value: Double) -> Double {
    let (a, b, x) =
      isLogarithmic
      ? (log(domain.low), log(domain.high), log(max(value, domain.low)))
      : (domain.low, domain.high, value)
    guard b > a else { return (range.low + range.high) / 2 }
    return range.low + (x - a) / (b - a) * (range.high - range.low)
  }

  /// Tick values: the axis's own if given, else round values inside the domain.
  func ticks(_ axis: Axis) -> [Double] {
    if let ticks = axis.ticks {
      return ticks.filter { $0 >= domain.low && $0 <= domain.high }
    }
    if isLogarithmic {
      let ticks = logarithmicTicks()
      guard axis.countsWholeNumbers else { return ticks }
      let whole = ticks.filter { $0 == $0.rounded() }
      return whole.count >= 2 ? whole : Self.linearTicks(domain.low, domain.high, minimumStep: 1)
    }
    return Self.linearTicks(
      domain.low, domain.high, minimumStep: axis.countsWholeNumbers ? 1 : 0)
  }

  private func logarithmicTicks() -> [Double] {
    let first = Int(log10(domain.low).rounded(.down))
    let last = Int(log10(domain.high).rounded(.up))
    for multiples in [[1.0], [1, 3], [1, 2, 5], [1, 1.5, 2, 3, 5, 7]] {
      var ticks: [Double] = []
      for exponent in first...last {
        for m in multiples {
          let value = m * pow(10, Double(exponent))
          if value >= domain.low && value <= domain.high { ticks.append(value) }
        }
      }
      if ticks.count >= 3 { return ticks }
    }
    return Self.linearTicks(domain.low, domain.high)
  }

  /// About five round ticks (1, 2 or 5 × 10ᵏ apart, and at least `minimumStep`) between `low`
  /// and `high`.
  package static func linearTicks(_ low: Double, _ high: Double, minimumStep: Double = 0)
    -> [Double]
  {
    guard high > low else { return [low] }
    let raw = max((high - low) / 5, minimumStep)
    let power = pow(10, (log10(raw)).rounded(.down))
    let step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? raw
    var ticks: [Double] = []
    var value = (low / step).rounded(.up) * step
    while value <= high + step * 1e-9 {
      ticks.append(abs(value) < step * 1e-9 ? 0 : value)
      value += step
    }
    return ticks
  }
}
