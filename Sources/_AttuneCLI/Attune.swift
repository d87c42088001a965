import ArgumentParser
import AttuneKernels

/// The `attune` command: computes, benchmarks and tunes attention kernels on this CPU.
///
/// Not API: public only so that the `attune` executable and the fuzz target of its option
/// parsing (`Fuzz/Sources/FuzzCLI`) can reach it.
public struct Attune: ParsableCommand {
  /// The command's name, help and subcommands.
  public static let configuration = CommandConfiguration(
    commandName: "attune",
    abstract: "CPU attention kernels that tune themselves.",
    discussion: """
      Computes O = softmax(Q·Kᵀ·scale)·V with five kernels (naive, blocked, parallel, simd and \
      fused, a FlashAttention-style one), benchmarks them and tunes their block sizes. Exit \
      status: 0 on success, 1 when the input or a file is bad, 64 when the command line is, 130 \
      when interrupted.
      """,
    version: BuildInfo.version,
    subcommands: [
      Report.self, Run.self, Backward.self, Compare.self, Tune.self, Duel.self, Simulate.self,
      Plan.self,
      Wisdom.self, Kernels.self,
    ]
  )

  /// The root command (ArgumentParser makes it).
  public init() {}

  /// Checks `ATTUNE_ISA` before any command runs (a value that names no instruction set, or one
  /// this CPU lacks, is one error for every command, where the kernels would otherwise fall back
  /// to the best micro-kernels without a word), runs the command, then checks that everything it
  /// printed reached stdout (`StandardOutput`).
  public static func main() {
    Platform.retainFreedMemory()
    do {
      _ = try InstructionSet.active()
    } catch {
      exit(withError: CommandError("ATTUNE_ISA: \(error.description)"))
    }
    do {
      var command = try parseAsRoot(nil)
      try command.run()
      try StandardOutput.finish()
    } catch {
      exit(withError: error)
    }
  }

  /// Parses and validates `arguments` (without the program name) as the command line would,
  /// running nothing: the message the user would see for a bad one, or nil when the command
  /// would run. For the option-parsing fuzz target.
  public static func check(_ arguments: [String]) -> String? {
    do {
      _ = try parseAsRoot(arguments)
      return nil
    } catch {
      return message(for: error)
    }
  }
}
