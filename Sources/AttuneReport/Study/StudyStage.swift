import AttuneBench
import AttuneTuner

/// A finished stage of a study, with what it measured.
package enum StudyStage: Sendable {
  /// Kernels compared.
  case compared(ComparisonReport)
  /// One tuning run per strategy.
  case tuned([TuningRecord])
  /// The duel.
  case duelled(DuelReport)
  /// The simulator.
  case simulated(SimulationReport)
}
