/// How much work a planner may do to choose a kernel configuration.
public enum PlanningLevel: Sendable, Hashable {
  /// Built-in defaults only: no wisdom read, no measurement.
  case estimate
  /// Wisdom when an entry applies, built-in defaults otherwise; never measures. The default.
  case automatic
  /// Wisdom or nothing: planning fails when no entry applies.
  case wisdomOnly
  /// Wisdom when an entry applies; otherwise tune now (the race strategy over the fused kernel's
  /// tile sizes) within `seconds` of wall-clock time in all, and save the result as wisdom.
  case measure(seconds: Double)
}
