/// The timing protocol of `attune run --serve` and `attune backward --serve`, which the Python
/// benchmarks drive: print `ready`; then for each line of stdin holding a count C, run C calls
/// and print their mean seconds per call; stop when stdin closes. A line `read C` instead times
/// C streaming reads of the memory the call reads, where the run has one (`attune run
/// --kv-storage`: the cache's pages), so that a benchmark compares the call with a read of the
/// same bytes in the same memory.
enum ServeLoop {
  /// Serves requests with `time`, which runs the given number of calls and returns their mean
  /// seconds per call, and `read` requests with `read` (nil: refused).
  static func run(_ time: (Int) throws -> Double, read: ((Int) throws -> Double)? = nil) throws {
    try StandardOutput.line("ready")
    while let line = readLine() {
      var words = line.split(separator: " ", omittingEmptySubsequences: true)
      let reads = words.first == "read"
      if reads { words.removeFirst() }
      guard words.count == 1, let calls = Int(words[0]), calls >= 1 else {
        throw CommandError(
          "--serve expects a positive call count per line, or 'read' and a count, got '\(line)'")
      }
      if reads {
        guard let read else {
          throw CommandError("--serve: 'read' needs --kv-storage (a KV cache whose pages to read)")
        }
        try StandardOutput.line(String(try read(calls)))
      } else {
        try StandardOutput.line(String(try time(calls)))
      }
    }
  }
}
