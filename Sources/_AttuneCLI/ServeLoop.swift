/// The timing protocol of `attune run --serve` and `attune backward --serve`, which the Python
/// benchmarks drive: print `ready`; then for each line of stdin holding a count C, run C calls
/// and print their mean seconds per call; stop when stdin closes.
enum ServeLoop {
  /// Serves requests with `time`, which runs the given number of calls and returns their mean
  /// seconds per call.
  static func run(_ time: (Int) throws -> Double) throws {
    try StandardOutput.line("ready")
    while let line = readLine() {
      guard let calls = Int(line.trimmingCharacters(in: .whitespaces)), calls >= 1 else {
        throw CommandError("--serve expects a positive call count per line, got '\(line)'")
      }
      try StandardOutput.line(String(try time(calls)))
    }
  }
}
