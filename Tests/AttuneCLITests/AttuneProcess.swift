import Foundation

/// Runs the built `attune` executable, as a user would, and captures what it prints.
struct AttuneProcess {
  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String

    /// stderr's lines, without the usage hints ArgumentParser adds after a usage error.
    var errorLines: [String] { stderr.split(separator: "\n").map(String.init) }
  }

  /// The `attune` binary beside the test bundle (SwiftPM builds it because the tests depend on it).
  static var executable: URL {
    let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    return bundle.appendingPathComponent("attune")
  }

  static func run(_ arguments: [String], in directory: URL? = nil, input: String? = nil) throws
    -> Result
  {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    // Hermetic: no wisdom from the user's cache changes what a test sees.
    var environment = ProcessInfo.processInfo.environment
    environment["ATTUNE_WISDOM"] =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("attune-tests-no-wisdom-\(UUID().uuidString).json").path
    process.environment = environment
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let stdin = Pipe()
    if input != nil { process.standardInput = stdin }
    try process.run()
    if let input {
      stdin.fileHandleForWriting.write(Data(input.utf8))
      try stdin.fileHandleForWriting.close()
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  /// A fresh empty directory.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "attune-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
