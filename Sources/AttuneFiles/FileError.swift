/// Why a file could not be read or written, one line for a person.
package enum FileError: Error, Equatable, CustomStringConvertible {
  /// The file cannot be read (missing, a directory, permissions…).
  case unreadable(path: String, reason: String)
  /// The file cannot be written.
  case unwritable(path: String, reason: String)

  /// One line saying what was wrong.
  package var description: String {
    switch self {
    case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
    case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
    }
  }
}
