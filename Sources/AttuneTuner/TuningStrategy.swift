/// A way to find the fastest candidate: the report's `grid` and `adaptive`, and Attune's `race`.
package protocol TuningStrategy: Sendable {
  /// The strategy's name (`grid`, `adaptive`, `race`).
  var name: String { get }
  /// Runs on `target` until the strategy's rule or `budget` stops it.
  ///
  /// - Parameters:
  ///   - target: What to measure.
  ///   - budget: Measurement and time limits.
  ///   - seed: Seeds any randomised order.
  /// - Returns: The choice, the confidence statement, the cost and the full trace.
  func tune<Target: TuningTarget>(_ target: Target, budget: TuningBudget, seed: UInt64)
    -> TuningOutcome
}
