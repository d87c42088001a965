import AttuneBench
import AttuneKernels

/// One tuning run with its context: what `attune tune --json` writes and the report reads.
public struct TuningRecord: Sendable, Hashable, Codable {
  /// The tuned kernel's name.
  public let kernel: String
  /// The problem's sizes.
  public let shape: AttentionShape
  /// The candidates' labels; `TraceEntry.candidate` and `TuningOutcome.choice` index this list.
  public let candidates: [String]
  /// Kernel calls timed per measurement.
  public let callsPerMeasurement: Int
  /// Where it ran.
  public let machine: MachineDescription
  /// What the strategy concluded, with every measurement.
  public let outcome: TuningOutcome

  /// Creates a record.
  public init(
    kernel: String, shape: AttentionShape, candidates: [String], callsPerMeasurement: Int,
    machine: MachineDescription, outcome: TuningOutcome
  ) {
    self.kernel = kernel
    self.shape = shape
    self.candidates = candidates
    self.callsPerMeasurement = callsPerMeasurement
    self.machine = machine
    self.outcome = outcome
  }
}
