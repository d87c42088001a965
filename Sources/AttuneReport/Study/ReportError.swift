/// Why saved report data could not be read or rendered.
package enum ReportError: Error, Sendable, Hashable, CustomStringConvertible {
  /// A data file is missing.
  case missingFile(String)
  /// A data file could not be read.
  case unreadable(String, reason: String)
  /// A data file is not the JSON the report expects.
  case malformed(String, reason: String)
  /// A data file was written by a format version this build does not read.
  case unsupportedVersion(String, found: Int, expected: Int)
  /// The data contradicts itself (an index out of range, an empty study).
  case inconsistent(String, reason: String)

  /// One line.
  package var description: String {
    switch self {
    case .missingFile(let path):
      "\(path) is missing: report data needs report.json, compare.json, tune.json, duel.json and simulate.json (written by `attune report`)"
    case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
    case .malformed(let path, let reason): "\(path) is not valid report data: \(reason)"
    case .unsupportedVersion(let path, let found, let expected):
      "\(path) has format version \(found); this attune reads version \(expected)"
    case .inconsistent(let path, let reason): "\(path) is inconsistent: \(reason)"
    }
  }
}
