/// One trial of a duel: every strategy tuned the same kernel on the same random matrices.
package struct DuelTrial: Sendable, Hashable, Codable {
  /// The trial's number, from 1.
  package let trial: Int
  /// The seed of its matrices.
  package let seed: UInt64
  /// One outcome per strategy, in the duel's order of strategies.
  package let outcomes: [TuningOutcome]

  /// Creates a trial.
  package init(trial: Int, seed: UInt64, outcomes: [TuningOutcome]) {
    self.trial = trial
    self.seed = seed
    self.outcomes = outcomes
  }
}
