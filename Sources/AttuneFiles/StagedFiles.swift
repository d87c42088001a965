#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The files of a `FileTransaction` written to temporaries and waiting to be put in place: commit
/// them, or discard them and leave every destination as it was.
package struct StagedFiles {
  /// Temporary files and the paths they replace.
  var temporaries: [(temporary: String, destination: String)] = []
  /// Devices and FIFOs, written only at commit.
  var inPlace: [(path: String, bytes: [UInt8])] = []

  /// Writes the devices and FIFOs, then renames every temporary over its destination.
  ///
  /// - Throws: `FileError.unwritable`; the temporaries not yet renamed are removed.
  package func commit() throws(FileError) {
    do throws(FileError) { try writeInPlace() } catch {
      discard()
      throw error
    }
    try renameTemporaries()
  }

  /// Writes the devices and FIFOs (the outputs that cannot be staged, so the ones that may still
  /// fail, as `/dev/full` does): the first half of `commit()`, for callers with work to do between
  /// the two. Removes nothing on failure: call `discard()`.
  package func writeInPlace() throws(FileError) {
    for (path, bytes) in inPlace {
      let fd = open(path, O_WRONLY)
      guard fd >= 0 else { throw .unwritable(path: path, reason: Self.lastError()) }
      let failure = FileIO.writeAll(bytes, to: fd)
      let closed = close(fd) == 0 ? nil : Self.lastError()
      if let reason = failure ?? closed { throw .unwritable(path: path, reason: reason) }
    }
  }

  /// Renames every temporary over its destination: the second half of `commit()`.
  ///
  /// - Throws: `FileError.unwritable`; the temporaries not yet renamed are removed.
  package func renameTemporaries() throws(FileError) {
    var renamed = 0
    defer { for (temporary, _) in temporaries[renamed...] { unlink(temporary) } }
    for (temporary, destination) in temporaries {
      guard rename(temporary, destination) == 0 else {
        throw .unwritable(path: destination, reason: Self.lastError())
      }
      renamed += 1
    }
  }

  /// Removes the temporaries: no destination changes.
  package func discard() {
    for (temporary, _) in temporaries { unlink(temporary) }
  }

  /// Writes `bytes` to a new temporary file in `path`'s directory, flushed to disk, and returns
  /// its name: `.attune-` and six random characters, short whatever `path`'s name is.
  static func writeTemporary(_ bytes: [UInt8], beside path: String) throws(FileError) -> String {
    let (directory, _) = FileIO.split(path)
    var template = Array("\(directory)/.attune-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
    guard fd >= 0 else { throw .unwritable(path: path, reason: lastError()) }
    let temporary = String(
      decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var failure = FileIO.writeAll(bytes, to: fd)
    if failure == nil, fchmod(fd, 0o644) != 0 || fsync(fd) != 0 { failure = lastError() }
    if close(fd) != 0, failure == nil { failure = lastError() }
    if let failure {
      unlink(temporary)
      throw .unwritable(path: path, reason: failure)
    }
    return temporary
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }
}
