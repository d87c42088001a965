import AttuneFiles
import Foundation

/// JSON as the commands print it: sorted keys, indented, one document per run.
enum JSONOutput {
  static func string(_ value: some Encodable) throws -> String {
    String(decoding: try data(value), as: UTF8.self)
  }

  static func data(_ value: some Encodable) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(value)
  }
}

/// Where a command writes its results: files, or `-` for stdout. A command's files are written
/// together (`FileTransaction`): all of them, or none changed.
enum OutputFile {
  /// Checks, before any long work, that the files could be written together: each writable, no
  /// two the same file (`-` is stdout: nothing to check).
  static func check(_ paths: String?...) throws {
    let files = paths.compactMap { $0 }.filter { $0 != "-" }
    try ensure { () throws(FileError) in try FileTransaction.check(files) }
  }

  /// Writes `data` to `path`, or to stdout when `path` is `-`. Returns true for stdout, where the
  /// caller should then print nothing else.
  @discardableResult
  static func write(_ data: Data, to path: String) throws -> Bool {
    try write([([UInt8](data), path)])
  }

  /// Writes every output: the files together, then those for stdout. `beforeCommit` runs once
  /// the files are staged (written beside their destinations, nothing replaced yet) and the
  /// devices written (`/dev/full` fails there); if it throws, no file changes. Returns true when
  /// something went to stdout.
  @discardableResult
  static func write(
    _ outputs: [(bytes: [UInt8], path: String)], beforeCommit: () throws -> Void = {}
  ) throws -> Bool {
    var files = FileTransaction()
    for (bytes, path) in outputs where path != "-" {
      try ensure { () throws(FileError) in try files.add(bytes, to: path) }
    }
    let staged = try ensure { () throws(FileError) in try files.stage() }
    do {
      try ensure { () throws(FileError) in try staged.writeInPlace() }
      try beforeCommit()
    } catch {
      staged.discard()
      throw error
    }
    try ensure { () throws(FileError) in try staged.renameTemporaries() }
    var toStdout = false
    for (bytes, path) in outputs where path == "-" {
      let newline = UInt8(ascii: "\n")
      try StandardOutput.write(bytes.last == newline ? bytes : bytes + [newline])
      toStdout = true
    }
    return toStdout
  }
}
