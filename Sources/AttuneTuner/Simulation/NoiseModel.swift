import AttuneKernels
import Foundation

/// How simulated measurements scatter around a candidate's true time.
///
/// A measurement is `true time × drift(t) × e^(σ·z) × outlier`, where `z` is standard normal (or
/// Student t with `tailDegreesOfFreedom`, rescaled to unit variance, for heavy tails),
/// `σ = √(ln(1 + cv²))` so the multiplicative noise has coefficient of variation `cv`, `drift(t)`
/// is a slow sinusoid shared by all candidates of a run (random phase), and with probability
/// `outlierRate` the time is multiplied by a uniform factor in `outlierRange`.
public struct NoiseModel: Sendable, Hashable, Codable {
  /// Short name (`lognormal`, `outliers`, `drift`, `heavy`).
  public let name: String
  /// Coefficient of variation of the multiplicative noise.
  public let cv: Double
  /// Probability that a measurement is an outlier.
  public let outlierRate: Double
  /// Range of the outlier factor.
  public let outlierRange: ClosedRange<Double>
  /// Amplitude of the shared drift (0.1 = ±10 %).
  public let driftAmplitude: Double
  /// Drift period, in multiples of the fastest candidate's time.
  public let driftPeriod: Double
  /// Degrees of freedom of Student-t log-noise, or nil for normal log-noise.
  public let tailDegreesOfFreedom: Double?

  /// Creates a model.
  public init(
    name: String, cv: Double, outlierRate: Double = 0, outlierRange: ClosedRange<Double> = 2...10,
    driftAmplitude: Double = 0, driftPeriod: Double = 150, tailDegreesOfFreedom: Double? = nil
  ) {
    self.name = name
    self.cv = cv
    self.outlierRate = outlierRate
    self.outlierRange = outlierRange
    self.driftAmplitude = driftAmplitude
    self.driftPeriod = driftPeriod
    self.tailDegreesOfFreedom = tailDegreesOfFreedom
  }

  /// The four named models, all at 3 % coefficient of variation.
  public static let presets: [NoiseModel] = [
    NoiseModel(name: "lognormal", cv: 0.03),
    NoiseModel(name: "outliers", cv: 0.03, outlierRate: 0.02),
    NoiseModel(name: "drift", cv: 0.03, driftAmplitude: 0.10),
    NoiseModel(name: "heavy", cv: 0.03, tailDegreesOfFreedom: 3),
  ]

  /// The same model with another coefficient of variation.
  public func with(cv: Double) -> NoiseModel {
    NoiseModel(
      name: name, cv: cv, outlierRate: outlierRate, outlierRange: outlierRange,
      driftAmplitude: driftAmplitude, driftPeriod: driftPeriod,
      tailDegreesOfFreedom: tailDegreesOfFreedom)
  }

  /// One draw of the noise factor (without drift).
  func factor(using generator: inout SplitMix64) -> Double {
    let sigma = Foundation.log(1 + cv * cv).squareRoot()
    var z = Double(generator.nextGaussian())
    if let nu = tailDegreesOfFreedom {
      var chiSquare = 0.0
      for _ in 0..<Int(nu) {
        let g = Double(generator.nextGaussian())
        chiSquare += g * g
      }
      z = z / (chiSquare / nu).squareRoot() / (nu / (nu - 2)).squareRoot()
    }
    var value = Foundation.exp(sigma * z)
    if outlierRate > 0, Double(generator.next() >> 11) * 0x1p-53 < outlierRate {
      let u = Double(generator.next() >> 11) * 0x1p-53
      value *= outlierRange.lowerBound + u * (outlierRange.upperBound - outlierRange.lowerBound)
    }
    return value
  }
}
