/// Why wisdom could not be written or changed.
public enum WisdomError: Error, Sendable, Hashable, CustomStringConvertible {
  /// No path: neither a flag, `ATTUNE_WISDOM`, nor a home directory gave one.
  case noLocation
  /// The file or its directory cannot be written.
  case unwritable(path: String, reason: String)
  /// The file to import cannot be read or is not wisdom.
  case unreadable(path: String, reason: String)

  /// One line.
  public var description: String {
    switch self {
    case .noLocation:
      "no place for wisdom: set ATTUNE_WISDOM or HOME, or give --wisdom PATH"
    case .unwritable(let path, let reason): "cannot write wisdom to \(path): \(reason)"
    case .unreadable(let path, let reason): "cannot read wisdom from \(path): \(reason)"
    }
  }
}
