/// Where a running study is, for a progress bar.
package struct StudyProgress: Sendable {
  /// The stage running, from 1.
  package let stage: Int
  /// Stages in all.
  package let stages: Int
  /// The stage's name (`compare`, `tune`, `duel`, `simulate`).
  package let name: String
  /// Share of the stage done, in 0...1.
  package let fraction: Double
  /// What is running now.
  package let detail: String
  /// Seconds since the study started.
  package let elapsedSeconds: Double
}
