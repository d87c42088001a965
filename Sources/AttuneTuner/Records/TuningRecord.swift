import AttuneBench
import AttuneKernels

/// One tuning run with its context: what `attune tune --json` writes and the report reads.
package struct TuningRecord: Sendable, Hashable, Codable {
  /// The tuned kernel's name.
  package let kernel: String
  /// The problem's sizes.
  package let shape: AttentionShape
  /// The candidates' labels; `TraceEntry.candidate` and `TuningOutcome.choice` index this list.
  package let candidates: [String]
  /// Kernel calls timed per measurement.
  package let callsPerMeasurement: Int
  /// Where it ran.
  package let machine: MachineDescription
  /// What the strategy concluded, with every measurement.
  package let outcome: TuningOutcome

  /// Creates a record.
  package init(
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
