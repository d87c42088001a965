import ArgumentParser
import AttuneKernels

/// `--isa`: the micro-kernel table a command runs on, shared by `attune run` and
/// `attune backward`.
struct InstructionSetOption: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Micro-kernels: avx512, avx2, neon or portable (default: the ATTUNE_ISA environment variable, else the best this CPU runs).",
      valueName: "isa"))
  var isa: String?

  /// The named table, or the process's choice; refused when this CPU cannot run it.
  func resolved() throws -> InstructionSet {
    try ensure { () throws(AttentionError) -> InstructionSet in
      let resolved: InstructionSet
      if let isa {
        resolved = try InstructionSet(parsing: isa)
      } else {
        resolved = try InstructionSet.active()
      }
      try resolved.checkSupported()
      return resolved
    }
  }
}
