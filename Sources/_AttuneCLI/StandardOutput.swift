import AttuneFiles

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Checked writes to stdout: a full disk, a closed descriptor or a pipe whose reader left (with
/// SIGPIPE ignored) is one `Error:` line and status 1, never a crash and never a silent success.
///
/// Text printed with `print` goes through the C library's buffer; `finish()` flushes it when the
/// command ends and reports whether any of it was lost. Bytes written with `write` go straight
/// to the descriptor (after `print`'s buffer, to keep the order).
enum StandardOutput {
  /// Writes `bytes` to stdout at once, every one.
  ///
  /// - Throws: `CommandError` saying why stdout cannot be written.
  static func write(_ bytes: [UInt8]) throws {
    try flush()
    if let reason = FileIO.writeAll(bytes, to: 1) { throw failure(reason) }
  }

  /// Writes `line` and a newline to stdout at once (`print` would keep it in a pipe's buffer).
  static func line(_ line: String) throws {
    try write(Array((line + "\n").utf8))
  }

  /// Flushes what `print` buffered and checks that nothing written to stdout was lost.
  ///
  /// - Throws: `CommandError` if a write to stdout failed now or earlier.
  static func finish() throws {
    try flush()
  }

  /// Flushes every C stream (Swift 6 does not let code name the C global `stdout`; stderr is
  /// unbuffered, so this is stdout's buffer). A buffer whose earlier write failed still holds its
  /// bytes, so the failure shows again here.
  private static func flush() throws {
    if fflush(nil) != 0 { throw failure(String(cString: strerror(errno))) }
  }

  private static func failure(_ reason: String) -> CommandError {
    CommandError("cannot write to standard output: \(reason)")
  }
}
