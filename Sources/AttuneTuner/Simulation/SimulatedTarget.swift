import AttuneKernels
import Foundation

/// Candidates whose true times are known, measured through a `NoiseModel`: the tuners' test bed.
public struct SimulatedTarget: TuningTarget {
  /// True seconds per candidate.
  public let trueTimes: [Double]
  /// Labels per candidate.
  public let labels: [String]
  /// The noise.
  public let noise: NoiseModel
  private var generator: SplitMix64
  private let phase: Double
  private let period: Double
  /// Simulated seconds spent: the sum of all measured times.
  public private(set) var elapsedSeconds = 0.0

  /// Candidates with `trueTimes` seconds, measured with `noise`, replayable from `seed`.
  public init(trueTimes: [Double], labels: [String], noise: NoiseModel, seed: UInt64) {
    self.trueTimes = trueTimes
    self.labels = labels
    self.noise = noise
    generator = SplitMix64(seed: seed)
    phase = Double(generator.next() >> 11) * 0x1p-53 * 2 * .pi
    period = noise.driftPeriod * (trueTimes.min() ?? 1)
  }

  /// Number of candidates.
  public var candidateCount: Int { trueTimes.count }

  /// The candidate's label.
  public func label(_ index: Int) -> String { labels[index] }

  /// One noisy measurement; the simulated clock advances by it.
  public mutating func measure(_ index: Int) throws -> Double {
    let drift = 1 + noise.driftAmplitude * Foundation.sin(2 * .pi * elapsedSeconds / period + phase)
    let value = trueTimes[index] * drift * noise.factor(using: &generator)
    elapsedSeconds += value
    return value
  }
}
