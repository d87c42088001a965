import AttuneKernels
import Foundation

/// Candidates whose true times are known, measured through a `NoiseModel`: the tuners' test bed.
///
/// Each candidate keeps its own noise state (its level, whether it is bimodal, its AR(1) shock,
/// its burst, its count for warm-up), drawn from the seed, so a run replays exactly.
package struct SimulatedTarget: TuningTarget {
  /// True seconds per candidate.
  package let trueTimes: [Double]
  /// Labels per candidate.
  package let labels: [String]
  /// The noise.
  package let noise: NoiseModel
  /// Each candidate's coefficient of variation in this run.
  package let levels: [Double]
  /// Whether each candidate's noise has two modes in this run.
  package let bimodal: [Bool]
  private var generator: SplitMix64
  private let phase: Double
  private let period: Double
  private var shocks: [Double?]
  private var burstLeft: [Int]
  private var burstFactor: [Double]
  private var counts: [Int]
  /// Simulated seconds spent: the sum of all measured times.
  package private(set) var elapsedSeconds = 0.0

  /// Candidates with `trueTimes` seconds, measured with `noise`, replayable from `seed`.
  package init(trueTimes: [Double], labels: [String], noise: NoiseModel, seed: UInt64) {
    self.trueTimes = trueTimes
    self.labels = labels
    self.noise = noise
    var generator = SplitMix64(seed: seed)
    phase = generator.unit() * 2 * .pi
    period = noise.driftPeriod * (trueTimes.min() ?? 1)
    let fastest = trueTimes.indices.min { trueTimes[$0] < trueTimes[$1] }
    levels = trueTimes.indices.map { index in
      if let factor = noise.fastestCV {
        return noise.cv * (index == fastest ? factor : noise.othersCV)
      }
      guard noise.cvSpread > 1 else { return noise.cv }
      return noise.cv * Foundation.pow(noise.cvSpread, 2 * generator.unit() - 1)
    }
    let bimodalCount = Int((noise.bimodalShare * Double(trueTimes.count)).rounded())
    let order = Array(trueTimes.indices).shuffled(using: &generator)
    let chosen = Set(order.prefix(bimodalCount))
    bimodal = trueTimes.indices.map { chosen.contains($0) }
    self.generator = generator
    shocks = Array(repeating: nil, count: trueTimes.count)
    burstLeft = Array(repeating: 0, count: trueTimes.count)
    burstFactor = Array(repeating: 1, count: trueTimes.count)
    counts = Array(repeating: 0, count: trueTimes.count)
  }

  /// Number of candidates.
  package var candidateCount: Int { trueTimes.count }

  /// The candidate's label.
  package func label(_ index: Int) -> String { labels[index] }

  /// One noisy measurement; the simulated clock advances by it.
  package mutating func measure(_ index: Int) throws -> Double {
    let drift = 1 + noise.driftAmplitude * Foundation.sin(2 * .pi * elapsedSeconds / period + phase)
    var z = noise.shock(using: &generator)
    if noise.autocorrelation > 0, let previous = shocks[index] {
      let phi = noise.autocorrelation
      z = phi * previous + (1 - phi * phi).squareRoot() * z
    }
    shocks[index] = z
    let sigma = Foundation.log(1 + levels[index] * levels[index]).squareRoot()
    var logFactor = sigma * z
    if bimodal[index] {
      logFactor += (generator.next() & 1 == 0 ? 1 : -1) * noise.bimodalOffset * sigma
    }
    var value = trueTimes[index] * drift * Foundation.exp(logFactor)
    value *= noise.outlier(using: &generator)
    if noise.burstRate > 0 {
      if burstLeft[index] == 0, generator.unit() < noise.burstRate {
        // Geometric length with mean `burstLength` (at least 1).
        let stop = 1 / max(noise.burstLength, 1)
        var length = 1
        while generator.unit() >= stop { length += 1 }
        burstLeft[index] = length
        let range = noise.burstRange
        burstFactor[index] =
          range.lowerBound + generator.unit() * (range.upperBound - range.lowerBound)
      }
      if burstLeft[index] > 0 {
        value *= burstFactor[index]
        burstLeft[index] -= 1
      }
    }
    if noise.warmupAmplitude > 0 {
      value *=
        1 + noise.warmupAmplitude
        * Foundation.exp(-Double(counts[index]) / noise.warmupMeasurements)
    }
    counts[index] += 1
    elapsedSeconds += value
    return value
  }
}
