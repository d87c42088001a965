/// Where a plan's configuration came from.
public enum PlanSource: String, Sendable, Hashable, Codable {
  /// The kernel's built-in defaults.
  case defaults
  /// A wisdom entry tuned earlier on this machine.
  case wisdom
  /// Tuned while planning.
  case measured
}
