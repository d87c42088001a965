import AttuneKernels
import Foundation

/// How simulated measurements scatter around a candidate's true time.
///
/// A measurement of candidate `i` is
///
/// ```
/// true time × drift(t) × e^(σᵢ·zᵢ ± bᵢ) × outlier × burstᵢ × warm-upᵢ
/// ```
///
/// - `zᵢ` is standard normal, or Student t with `tailDegreesOfFreedom` rescaled to unit variance
///   (heavy tails); with `autocorrelation` φ it is an AR(1) series over candidate `i`'s own
///   measurements, `zₖ = φ·zₖ₋₁ + √(1 − φ²)·εₖ`, so its marginal is unchanged;
/// - `σᵢ = √(ln(1 + cvᵢ²))`, so the multiplicative noise has coefficient of variation `cvᵢ`. Every
///   candidate has `cv` unless the levels differ: with `cvSpread` s each candidate's is drawn
///   log-uniformly in `[cv/s, cv·s]` per trial; with `fastestCV` the fastest has `cv × fastestCV`
///   and the others `cv × othersCV` (the case where the best candidate is the noisy one);
/// - `±bᵢ` (equally likely, `bᵢ = bimodalOffset·σᵢ`) for the share `bimodalShare` of candidates
///   (chosen per trial): two modes, symmetric in log-time;
/// - `drift(t)` is a slow sinusoid shared by all candidates of a run (random phase);
/// - with probability `outlierRate` the time is multiplied by a uniform factor in `outlierRange`;
/// - with `burstRate`, each measurement of a candidate not in a burst starts one with that
///   probability; a burst lasts a geometric number of the candidate's measurements (mean
///   `burstLength`), all slowed by one factor drawn uniformly in `burstRange`;
/// - with `warmupAmplitude` a, the k-th measurement of a candidate (from 1) is slowed by
///   `1 + a·e^(−(k − 1)/warmupMeasurements)`.
///
/// The log-noise of every candidate is symmetric around 0 except for outliers, bursts and
/// warm-up, whose parameters all candidates share; so every candidate's median, trimmed mean and
/// (log-)mean sit at its true time, up to a shift outliers and bursts give all alike.
package struct NoiseModel: Sendable, Hashable, Codable {
  /// Short name: a base (`lognormal`, `outliers`, `drift`, `heavy`) and `+modifier`s.
  package let name: String
  /// Coefficient of variation of the multiplicative noise.
  package let cv: Double
  /// Probability that a measurement is an outlier.
  package let outlierRate: Double
  /// Range of the outlier factor.
  package let outlierRange: ClosedRange<Double>
  /// Amplitude of the shared drift (0.1 = ±10 %).
  package let driftAmplitude: Double
  /// Drift period, in multiples of the fastest candidate's time.
  package let driftPeriod: Double
  /// Degrees of freedom of Student-t log-noise, or nil for normal log-noise.
  package let tailDegreesOfFreedom: Double?
  /// Per-candidate noise levels spread log-uniformly over `[cv/s, cv·s]`; 1: all equal.
  package var cvSpread: Double = 1
  /// The fastest candidate's noise level as a multiple of `cv`, or nil for no special case.
  package var fastestCV: Double? = nil
  /// The other candidates' level when `fastestCV` is set, as a multiple of `cv`.
  package var othersCV: Double = 1
  /// Share of candidates whose log-noise has two modes.
  package var bimodalShare: Double = 0
  /// Half the distance between the two modes, in units of the candidate's σ.
  package var bimodalOffset: Double = 2
  /// Probability per measurement that a burst of slow measurements starts.
  package var burstRate: Double = 0
  /// Mean burst length, in the candidate's measurements.
  package var burstLength: Double = 3
  /// Range of a burst's slowdown factor.
  package var burstRange: ClosedRange<Double> = 1.1...1.5
  /// Lag-1 autocorrelation of each candidate's log-noise over its own measurements.
  package var autocorrelation: Double = 0
  /// Extra time of a candidate's first measurement, relative (0.3 = 30 % slower).
  package var warmupAmplitude: Double = 0
  /// Measurements over which the warm-up decays by e.
  package var warmupMeasurements: Double = 1.5

  /// Creates a model.
  package init(
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

  /// The four named bases, all at 3 % coefficient of variation.
  package static let presets: [NoiseModel] = [
    NoiseModel(name: "lognormal", cv: 0.03),
    NoiseModel(name: "outliers", cv: 0.03, outlierRate: 0.02),
    NoiseModel(name: "drift", cv: 0.03, driftAmplitude: 0.10),
    NoiseModel(name: "heavy", cv: 0.03, tailDegreesOfFreedom: 3),
  ]

  /// Ways candidates' noise can differ, each added to a base with `+` (`lognormal+bursts`).
  package static let modifiers: [(name: String, summary: String)] = [
    ("hetero", "each candidate's CV drawn log-uniformly between CV/4 and 4·CV"),
    ("noisyfastest", "the fastest candidate at 4·CV, the others at CV/3 (12 % against 1 %)"),
    ("bimodal", "half the candidates with two equally likely modes ±2σ apart from the centre"),
    (
      "bursts", "per-candidate bursts of slow measurements: 3 % start rate, mean length 3, ×1.1–1.5"
    ),
    ("ar1", "per-candidate AR(1) log-noise, lag-1 autocorrelation 0.5"),
    ("ar1strong", "per-candidate AR(1) log-noise, lag-1 autocorrelation 0.9"),
    ("warmup", "each candidate's first measurements slower: +30 %, decaying by e every 1.5"),
  ]

  /// The combinations the race is audited on: every modifier on log-normal noise, and the
  /// level and burst modifiers on outliers.
  package static let audit: [String] =
    modifiers.map { "lognormal+\($0.name)" } + ["outliers+hetero", "outliers+bursts"]

  /// The model named `name`: a base with optional `+modifier`s (`lognormal`, `heavy+ar1+warmup`).
  ///
  /// - Throws: `SimulationError.unknownNoise` naming what is known.
  package static func named(_ name: String) throws(SimulationError) -> NoiseModel {
    let parts = name.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
    guard let baseName = parts.first, let base = presets.first(where: { $0.name == baseName })
    else {
      throw .unknownNoise(name, known: presets.map(\.name) + modifiers.map { "+" + $0.name })
    }
    var model = base.renamed(name)
    for modifier in parts.dropFirst() {
      switch modifier {
      case "hetero": model.cvSpread = 4
      case "noisyfastest":
        model.fastestCV = 4
        model.othersCV = 1.0 / 3
      case "bimodal": model.bimodalShare = 0.5
      case "bursts": model.burstRate = 0.03
      case "ar1": model.autocorrelation = 0.5
      case "ar1strong": model.autocorrelation = 0.9
      case "warmup": model.warmupAmplitude = 0.3
      default:
        throw .unknownNoise(name, known: presets.map(\.name) + modifiers.map { "+" + $0.name })
      }
    }
    return model
  }

  /// The same model with another coefficient of variation.
  package func with(cv: Double) -> NoiseModel { copy(name: name, cv: cv) }

  private func renamed(_ newName: String) -> NoiseModel { copy(name: newName, cv: cv) }

  /// This model, modifiers included, under `name` with coefficient of variation `cv`.
  private func copy(name: String, cv: Double) -> NoiseModel {
    var copy = NoiseModel(
      name: name, cv: cv, outlierRate: outlierRate, outlierRange: outlierRange,
      driftAmplitude: driftAmplitude, driftPeriod: driftPeriod,
      tailDegreesOfFreedom: tailDegreesOfFreedom)
    copy.copyModifiers(from: self)
    return copy
  }

  private mutating func copyModifiers(from other: NoiseModel) {
    cvSpread = other.cvSpread
    fastestCV = other.fastestCV
    othersCV = other.othersCV
    bimodalShare = other.bimodalShare
    bimodalOffset = other.bimodalOffset
    burstRate = other.burstRate
    burstLength = other.burstLength
    burstRange = other.burstRange
    autocorrelation = other.autocorrelation
    warmupAmplitude = other.warmupAmplitude
    warmupMeasurements = other.warmupMeasurements
  }

  /// A draw of the shock `z` (unit variance, normal or rescaled Student t).
  func shock(using generator: inout SplitMix64) -> Double {
    var z = Double(generator.nextGaussian())
    if let nu = tailDegreesOfFreedom {
      var chiSquare = 0.0
      for _ in 0..<Int(nu) {
        let g = Double(generator.nextGaussian())
        chiSquare += g * g
      }
      z = z / (chiSquare / nu).squareRoot() / (nu / (nu - 2)).squareRoot()
    }
    return z
  }

  /// One draw of the shared outlier factor (1 when none).
  func outlier(using generator: inout SplitMix64) -> Double {
    guard outlierRate > 0, generator.unit() < outlierRate else { return 1 }
    let u = generator.unit()
    return outlierRange.lowerBound + u * (outlierRange.upperBound - outlierRange.lowerBound)
  }
}

extension SplitMix64 {
  /// A uniform draw in [0, 1).
  mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}
