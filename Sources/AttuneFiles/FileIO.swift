#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file reads and atomic writes on POSIX, with errors that name the path and the reason.
package enum FileIO {
  /// Reads the whole file at `path`.
  ///
  /// - Throws: `FileError.unreadable` with the system's reason (missing, a directory, permission…).
  package static func read(path: String) throws(FileError) -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw .unreadable(path: path, reason: lastError()) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: lastError()) }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw .unreadable(path: path, reason: "not a regular file")
    }
    let size = Int(info.st_size)
    let memory = sysconf(Int32(_SC_PHYS_PAGES)) &* sysconf(Int32(_SC_PAGESIZE))
    guard memory <= 0 || size <= memory else {
      throw .unreadable(
        path: path,
        reason: "the file (\(size >> 20) MiB) is larger than memory (\(memory >> 20) MiB)")
    }
    var bytes = [UInt8](repeating: 0, count: size)
    var done = 0
    while done < size {
      let n = bytes.withUnsafeMutableBytes { buffer in
        buffer.baseAddress.map { systemRead(fd, $0 + done, size - done) } ?? 0
      }
      if n < 0 {
        if errno == EINTR { continue }
        throw .unreadable(path: path, reason: lastError())
      }
      if n == 0 { break }
      done += n
    }
    guard done == size else { throw .unreadable(path: path, reason: "the file shrank while read") }
    return bytes
  }

  /// Writes `bytes` to `path` so that readers see either the old file or the whole new one.
  ///
  /// A one-file `FileTransaction`: a temporary file beside `path`, flushed to disk, renamed over
  /// it (a symbolic link's target is replaced, the link kept); a character device or FIFO is
  /// written in place; a directory, socket or read-only file is refused. On any failure `path` is
  /// untouched.
  ///
  /// - Throws: `FileError.unwritable` with the reason.
  package static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileError) {
    var files = FileTransaction()
    try files.add(bytes, to: path)
    try files.stage().commit()
  }

  /// Checks, before any long computation, that `path` could be written as `writeAtomically`
  /// writes it.
  ///
  /// - Throws: `FileError.unwritable` if the directory is missing or not writable, or `path` is a
  ///   directory, a socket, a read-only file or a dangling link.
  package static func checkWritable(path: String) throws(FileError) {
    try FileTransaction.check([path])
  }

  /// Writes every byte to the descriptor `fd`, retrying interrupted and partial writes.
  ///
  /// - Returns: nil when every byte was written, else the system's reason.
  package static func writeAll(_ bytes: [UInt8], to fd: Int32) -> String? {
    var done = 0
    while done < bytes.count {
      let n = bytes.withUnsafeBytes { buffer in
        buffer.baseAddress.map { systemWrite(fd, $0 + done, bytes.count - done) } ?? 0
      }
      if n < 0 {
        if errno != EINTR { return lastError() }
      } else {
        done += n
      }
    }
    return nil
  }

  /// The directory (`.` if none) and the last component of `path`.
  static func split(_ path: String) -> (directory: String, name: String) {
    guard let slash = path.lastIndex(of: "/") else { return (".", path) }
    let directory = String(path[..<slash])
    return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }
}

// `FileIO.read` shadows the C function inside the type; these reach the C calls.
@inline(__always)
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
  read(fd, buffer, count)
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
  write(fd, buffer, count)
}
