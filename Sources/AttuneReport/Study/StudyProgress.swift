/// Where a running study is, for a progress bar.
public struct StudyProgress: Sendable {
  /// The stage running, from 1.
  public let stage: Int
  /// Stages in all.
  public let stages: Int
  /// The stage's name (`compare`, `tune`, `duel`, `simulate`).
  public let name: String
  /// Share of the stage done, in 0...1.
  public let fraction: Double
  /// What is running now.
  public let detail: String
  /// Seconds since the study started.
  public let elapsedSeconds: Double
}
