import AttuneNPY
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

/// Where a command writes a machine-readable result: a file (written atomically) or `-` for stdout.
enum OutputFile {
  /// Checks, before any long work, that `path` could be written (nothing to check for `-`).
  static func check(_ path: String?) throws {
    guard let path, path != "-" else { return }
    try ensure { () throws(NPYError) in try FileIO.checkWritable(path: path) }
  }

  /// Writes `data` to `path`, or to stdout when `path` is `-`. Returns true for stdout, where the
  /// caller should then print nothing else.
  @discardableResult
  static func write(_ data: Data, to path: String) throws -> Bool {
    if path == "-" {
      FileHandle.standardOutput.write(data)
      if data.last != UInt8(ascii: "\n") { FileHandle.standardOutput.write(Data("\n".utf8)) }
      return true
    }
    try ensure { () throws(NPYError) in try FileIO.writeAtomically(Array(data), to: path) }
    return false
  }
}
