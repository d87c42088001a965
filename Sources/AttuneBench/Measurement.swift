/// Everything one run of the engine recorded: every raw sample, in the order taken.
public struct Measurement: Sendable, Hashable, Codable {
  /// The candidates' names, indexed by `Sample.candidate`.
  public let names: [String]
  /// Calls per sample chosen by calibration, per candidate.
  public let iterations: [Int]
  /// Bytes one call allocated, per candidate, when the candidate can measure it.
  public let memoryBytes: [Int?]
  /// All samples.
  public let samples: [Sample]
  /// The plan followed.
  public let plan: MeasurementPlan

  /// Creates a measurement.
  public init(
    names: [String], iterations: [Int], memoryBytes: [Int?], samples: [Sample],
    plan: MeasurementPlan
  ) {
    self.names = names
    self.iterations = iterations
    self.memoryBytes = memoryBytes
    self.samples = samples
    self.plan = plan
  }

  /// The seconds-per-call samples of candidate `index`, in round order.
  public func seconds(of index: Int) -> [Double] {
    samples.filter { $0.candidate == index }.sorted { $0.round < $1.round }.map(\.seconds)
  }

  /// Per-round ratios `seconds(of: numerator)[r] / seconds(of: denominator)[r]`.
  ///
  /// Pairing by round cancels drift that affects both candidates in the same round.
  public func pairedRatios(_ numerator: Int, over denominator: Int) -> [Double] {
    let byRound = Dictionary(
      samples.filter { $0.candidate == denominator }.map { ($0.round, $0.seconds) },
      uniquingKeysWith: { first, _ in first })
    return samples.filter { $0.candidate == numerator }.sorted { $0.round < $1.round }
      .compactMap { sample in byRound[sample.round].map { sample.seconds / $0 } }
  }
}
