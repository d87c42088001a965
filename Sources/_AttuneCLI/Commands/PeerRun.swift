import AttuneBench
import AttuneReport
import Foundation

/// `attune report --peers run`: runs the checkout's `scripts/bench/peer_benchmark.py` (NumPy, PyTorch,
/// onnxruntime and Attune in the same interleaved rounds) and reads what it wrote.
enum PeerRun {
  /// The checkout holding the script: the current directory, else the one Attune was built from.
  static func checkout() -> String? {
    [FileManager.default.currentDirectoryPath, SourceCheckout.root.path].first {
      FileManager.default.fileExists(atPath: "\($0)/scripts/bench/peer_benchmark.py")
    }
  }

  /// Measures the peers at N = 512 and 2048 with this binary; progress goes to stderr.
  ///
  /// - Throws: `CommandError` when the script or its environment is missing, or it fails.
  static func measure(quiet: Bool) throws -> PeerComparison {
    guard let root = checkout() else {
      throw CommandError(
        "--peers run needs Attune's scripts/bench/peer_benchmark.py (run from the checkout), or give --peers FILE"
      )
    }
    guard FileManager.default.isExecutableFile(atPath: "\(root)/.venv-peers/bin/python") else {
      throw CommandError(
        "the peers are not installed: python3 scripts/bench/peer_benchmark.py --setup (in \(root); installs onnxruntime and PyTorch, several GB), then again"
      )
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent(
      "attune-peers-\(UUID().uuidString).json")
    defer { try? FileManager.default.removeItem(at: file) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", "\(root)/scripts/bench/peer_benchmark.py", "--sizes", "512,2048", "--rounds", "10",
      "--kernels", "fused", "--attune", Bundle.main.executablePath ?? CommandLine.arguments[0],
      "--json", file.path,
    ]
    process.standardOutput = quiet ? FileHandle.nullDevice : FileHandle.standardError
    process.standardError = quiet ? FileHandle.nullDevice : FileHandle.standardError
    do { try process.run() } catch {
      throw CommandError("cannot run python3: \(error.localizedDescription)")
    }
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw CommandError(
        "scripts/bench/peer_benchmark.py failed (status \(process.terminationStatus))")
    }
    return try ensure { () throws(ReportError) in try PeerComparison.load(path: file.path) }
  }
}
