/// What a tuner measures: a finite set of candidate configurations, one measurement at a time.
///
/// A real target times a kernel configuration; a simulated one draws from a known distribution,
/// so the tuners can be checked against an answer known in advance.
package protocol TuningTarget {
  /// Number of candidates; they are identified by index.
  var candidateCount: Int { get }
  /// A label for candidate `index` (such as `"blockQ=64"`).
  func label(_ index: Int) -> String
  /// Measures candidate `index` once and returns its time in seconds.
  ///
  /// - Throws: when the candidate cannot run; a strategy reports it and drops the candidate.
  mutating func measure(_ index: Int) throws -> Double
  /// Seconds spent so far: wall time for a real target, the sum of the times drawn for a
  /// simulated one.
  var elapsedSeconds: Double { get }
  /// How many seconds one measurement of candidate `index` is expected to take before it was
  /// measured (a real target knows it from its first call), or nil: a strategy starts no
  /// measurement that would end past its time budget.
  func expectedMeasurementSeconds(_ index: Int) -> Double?
}

extension TuningTarget {
  /// No expectation: the first measurement of each candidate is started whatever its cost.
  package func expectedMeasurementSeconds(_ index: Int) -> Double? { nil }
}
