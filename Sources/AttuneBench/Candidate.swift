/// One thing the engine measures: any closure, with optional hooks for fresh inputs and memory.
public struct Candidate: Sendable {
  /// A unique label for tables and files.
  public let name: String
  /// One call of the work being timed.
  public let run: @Sendable () -> Void
  /// Replaces the inputs before a sample, untimed, from the given seed (`plan.freshInputs`).
  public let refresh: (@Sendable (UInt64) -> Void)?
  /// Measures the bytes one call allocates, untimed; called once after the warm-up.
  public let measureMemory: (@Sendable () -> Int)?

  /// Creates a candidate.
  public init(
    name: String, refresh: (@Sendable (UInt64) -> Void)? = nil,
    measureMemory: (@Sendable () -> Int)? = nil, run: @escaping @Sendable () -> Void
  ) {
    self.name = name
    self.run = run
    self.refresh = refresh
    self.measureMemory = measureMemory
  }
}
