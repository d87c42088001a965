import Foundation

/// A sequential colour scale for heatmaps: viridis, perceptually uniform and readable by
/// colour-blind readers and in greyscale, on a linear or logarithmic domain.
package struct ColourScale: Sendable {
  /// The values mapped to the scale's two ends.
  package let domain: ClosedRange<Double>
  /// Whether values are placed by their logarithm.
  package let isLogarithmic: Bool

  /// Viridis at nine evenly spaced stops (matplotlib's values).
  private static let stops: [(Double, Double, Double)] = [
    (0x44, 0x01, 0x54), (0x47, 0x2D, 0x7B), (0x3B, 0x52, 0x8B), (0x2C, 0x72, 0x8E),
    (0x21, 0x91, 0x8C), (0x28, 0xAE, 0x80), (0x5E, 0xC9, 0x62), (0xAD, 0xDC, 0x30),
    (0xFD, 0xE7, 0x25),
  ]

  /// A scale over `domain`; a logarithmic scale needs a positive domain (else it is linear).
  package init(domain: ClosedRange<Double>, isLogarithmic: Bool) {
    self.domain = domain
    self.isLogarithmic = isLogarithmic && domain.lowerBound > 0
  }

  /// `value`'s position on the scale, in 0...1.
  package func position(_ value: Double) -> Double {
    let (low, high, x) =
      isLogarithmic
      ? (log(domain.lowerBound), log(domain.upperBound), log(max(value, domain.lowerBound)))
      : (domain.lowerBound, domain.upperBound, value)
    guard high > low, x.isFinite else { return 0.5 }
    return min(max((x - low) / (high - low), 0), 1)
  }

  /// The colour of `value`, as `#rrggbb`.
  package func colour(_ value: Double) -> String { colour(atPosition: position(value)) }

  /// The colour at `position` in 0...1.
  func colour(atPosition position: Double) -> String {
    let scaled = position * Double(Self.stops.count - 1)
    let index = min(Int(scaled), Self.stops.count - 2)
    let t = scaled - Double(index)
    let (a, b) = (Self.stops[index], Self.stops[index + 1])
    func channel(_ x: Double, _ y: Double) -> String {
      let value = Int((x + (y - x) * t).rounded())
      let hex = String(value, radix: 16)
      return hex.count == 1 ? "0" + hex : hex
    }
    return "#" + channel(a.0, b.0) + channel(a.1, b.1) + channel(a.2, b.2)
  }

  /// Whether text on `value`'s colour should be white (dark cells) rather than black.
  func wantsLightText(_ value: Double) -> Bool { position(value) < 0.55 }
}
