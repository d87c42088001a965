/// The parsed `.npy` header dictionary: `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
///
/// The header is a Python literal. This parser accepts exactly what `numpy.lib.format` writes and
/// reads: a dict with the three keys, string values in single or double quotes, `True`/`False`, and
/// a tuple of non-negative integers (with an optional trailing comma), with any spacing.
struct NPYHeader: Equatable {
  var descr: String
  var fortranOrder: Bool
  var shape: [Int]

  private enum Value {
    case string(String)
    case bool(Bool)
    case tuple([Int])
  }

  /// Parses `text`.
  ///
  /// - Throws: `NPYError.malformedHeader` naming the first problem.
  static func parse(_ text: String) throws(NPYError) -> NPYHeader {
    var parser = Parser(Array(text.utf8))
    let entries = try parser.dictionary()
    parser.skipSpace()
    guard parser.atEnd else { throw .malformedHeader("unexpected text after the dictionary") }
    let keys = Set(entries.map(\.0))
    guard keys == ["descr", "fortran_order", "shape"], entries.count == 3 else {
      let listed = entries.map(\.0).sorted().joined(separator: ", ")
      throw .malformedHeader("keys must be descr, fortran_order and shape; found \(listed)")
    }
    var header = NPYHeader(descr: "", fortranOrder: false, shape: [])
    for (key, value) in entries {
      switch (key, value) {
      case ("descr", .string(let s)): header.descr = s
      case ("fortran_order", .bool(let b)): header.fortranOrder = b
      case ("shape", .tuple(let t)): header.shape = t
      default: throw .malformedHeader("'\(key)' has a value of the wrong kind")
      }
    }
    return header
  }

  /// The header text NumPy would write for a C-order array of `descr` (`<f4`, `<f2`) and `shape`,
  /// without padding.
  static func text(shape: [Int], descr: String = "<f4") -> String {
    let tuple =
      shape.count == 1
      ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    return "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(tuple), }"
  }

  private struct Parser {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    mutating func skipSpace() {
      while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) {
        position += 1
      }
    }

    mutating func expect(_ character: Character) throws(NPYError) {
      skipSpace()
      guard position < bytes.count, bytes[position] == character.asciiValue else {
        throw .malformedHeader("expected '\(character)' at offset \(position)")
      }
      position += 1
    }

    mutating func peek(_ character: Character) -> Bool {
      skipSpace()
      return position < bytes.count && bytes[position] == character.asciiValue
    }

    mutating func dictionary() throws(NPYError) -> [(String, Value)] {
      try expect("{")
      var entries: [(String, Value)] = []
      while !peek("}") {
        let key = try string()
        try expect(":")
        entries.append((key, try value()))
        if peek(",") { position += 1 } else { break }
      }
      try expect("}")
      return entries
    }

    mutating func value() throws(NPYError) -> Value {
      skipSpace()
      guard position < bytes.count else { throw .malformedHeader("the header ends early") }
      switch bytes[position] {
      case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try string())
      case UInt8(ascii: "("): return .tuple(try tuple())
      default:
        if word("True") { return .bool(true) }
        if word("False") { return .bool(false) }
        throw .malformedHeader("unexpected value at offset \(position)")
      }
    }

    mutating func word(_ w: String) -> Bool {
      let target = Array(w.utf8)
      guard position + target.count <= bytes.count,
        Array(bytes[position..<position + target.count]) == target
      else { return false }
      position += target.count
      return true
    }

    mutating func string() throws(NPYError) -> String {
      skipSpace()
      guard position < bytes.count, bytes[position] == 0x27 || bytes[position] == 0x22 else {
        throw .malformedHeader("expected a quoted string at offset \(position)")
      }
      let quote = bytes[position]
      position += 1
      let start = position
      while position < bytes.count, bytes[position] != quote {
        guard bytes[position] != 0x5C else {
          throw .malformedHeader("escapes in strings are not supported")
        }
        position += 1
      }
      guard position < bytes.count else { throw .malformedHeader("unterminated string") }
      let text = String(decoding: bytes[start..<position], as: UTF8.self)
      position += 1
      return text
    }

    mutating func tuple() throws(NPYError) -> [Int] {
      try expect("(")
      var items: [Int] = []
      while !peek(")") {
        items.append(try integer())
        if peek(",") { position += 1 } else { break }
      }
      try expect(")")
      return items
    }

    mutating func integer() throws(NPYError) -> Int {
      skipSpace()
      var value = 0
      let start = position
      while position < bytes.count, (0x30...0x39).contains(bytes[position]) {
        let (times10, o1) = value.multipliedReportingOverflow(by: 10)
        let (next, o2) = times10.addingReportingOverflow(Int(bytes[position] - 0x30))
        guard !o1, !o2 else { throw .malformedHeader("a dimension is too large") }
        value = next
        position += 1
      }
      guard position > start else {
        throw .malformedHeader("expected a non-negative integer at offset \(start)")
      }
      // Headers written by Python 2 may append "L" to an integer.
      if position < bytes.count, bytes[position] == UInt8(ascii: "L") { position += 1 }
      return value
    }
  }
}
