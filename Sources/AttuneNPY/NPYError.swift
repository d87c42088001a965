import AttuneFiles

/// What can be wrong with an `.npy` file or a path, each case one line for a person.
public enum NPYError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The file does not start with `\x93NUMPY`.
  case notNPY
  /// A format version other than 1.0, 2.0 or 3.0.
  case unsupportedVersion(major: Int, minor: Int)
  /// The file ends inside the preamble or header.
  case truncatedHeader
  /// The header dictionary could not be parsed; the payload says where and why.
  case malformedHeader(String)
  /// A dtype other than little- or big-endian float32 or float64.
  case unsupportedDType(String)
  /// The array is stored in Fortran (column-major) order.
  case fortranOrder
  /// A rank outside 1...4.
  case unsupportedRank(Int)
  /// Fewer data bytes than the shape needs.
  case truncatedData(expectedBytes: Int, actualBytes: Int)
  /// More data bytes than the shape needs.
  case trailingData(expectedBytes: Int, actualBytes: Int)
  /// The shape's element count overflows.
  case shapeTooLarge([Int])
  /// The values do not fill the shape.
  case countMismatch(shape: [Int], count: Int)
  /// An element type other than the integers `NPY.decodeIntegers` reads.
  case unsupportedIntegerDType(String)
  /// A uint64 element beyond the largest integer this platform holds.
  case integerOutOfRange(index: Int)
  /// The file cannot be read (missing, a directory, permissions…).
  case unreadable(path: String, reason: String)
  /// The file cannot be written.
  case unwritable(path: String, reason: String)

  /// One line saying what was wrong.
  public var description: String {
    switch self {
    case .notNPY:
      return "not an .npy file (it does not start with \\x93NUMPY)"
    case .unsupportedVersion(let major, let minor):
      return "unsupported .npy format version \(major).\(minor) (1.0, 2.0 and 3.0 are read)"
    case .truncatedHeader:
      return "the file ends inside its .npy header"
    case .malformedHeader(let reason):
      return "malformed .npy header: \(reason)"
    case .unsupportedDType(let descr):
      return
        "unsupported dtype '\(descr)': only float16 ('<f2'), float32 ('<f4'), float64 ('<f8'), either byte order, and bool ('|b1') are read"
    case .fortranOrder:
      return "the array is in Fortran order; save it in C order (numpy.ascontiguousarray)"
    case .unsupportedRank(let rank):
      return "arrays of rank \(rank) are not supported (1 to 4 dimensions)"
    case .truncatedData(let expected, let actual):
      return "truncated data: the shape needs \(expected) bytes, the file has \(actual)"
    case .trailingData(let expected, let actual):
      return "the shape needs \(expected) data bytes but the file has \(actual)"
    case .shapeTooLarge(let shape):
      return "the shape \(shape) is too large"
    case .countMismatch(let shape, let count):
      return "\(count) values cannot fill the shape \(shape)"
    case .unsupportedIntegerDType(let descr):
      return
        "unsupported dtype '\(descr)': integers are read as int32 ('<i4'), int64 ('<i8'), uint32 ('<u4') or uint64 ('<u8'), either byte order"
    case .integerOutOfRange(let index):
      return "element \(index) is beyond the largest integer (\(Int.max))"
    case .unreadable(let path, let reason):
      return "cannot read \(path): \(reason)"
    case .unwritable(let path, let reason):
      return "cannot write \(path): \(reason)"
    }
  }
}

extension NPYError {
  /// The same failure as a file error (reading or writing the file itself).
  package init(_ error: FileError) {
    switch error {
    case .unreadable(let path, let reason): self = .unreadable(path: path, reason: reason)
    case .unwritable(let path, let reason): self = .unwritable(path: path, reason: reason)
    }
  }
}
