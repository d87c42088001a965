import AttuneKernels

/// Why no plan could be made.
public enum PlanningError: Error, Sendable, Equatable, CustomStringConvertible {
  /// `wisdomOnly` and no entry applies.
  case noWisdom(shape: AttentionShape, reason: String)
  /// The shape or a configuration is invalid.
  case attention(AttentionError)
  /// A `measure` budget that is not a positive number of seconds.
  case invalidBudget(Double)

  /// One line.
  public var description: String {
    switch self {
    case .noWisdom(let shape, let reason): "no wisdom applies to \(shape): \(reason)"
    case .attention(let error): error.description
    case .invalidBudget(let seconds):
      "a measuring plan needs a positive time budget, got \(seconds) s"
    }
  }
}
