/// A failure while running a command, printed by ArgumentParser as one `Error: …` line on stderr
/// with exit status 1.
struct CommandError: Error, CustomStringConvertible {
  /// The line to print.
  let description: String

  init(_ description: String) { self.description = description }
}

/// Runs `body`, turning a library error into a one-line `CommandError`.
func ensure<T, E: Error & CustomStringConvertible>(_ body: () throws(E) -> T) throws -> T {
  do {
    return try body()
  } catch {
    throw CommandError(error.description)
  }
}
