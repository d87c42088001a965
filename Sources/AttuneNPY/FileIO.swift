#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Whole-file reads and atomic writes on POSIX, with errors that name the path and the reason.
public enum FileIO {
  /// Reads the whole file at `path`.
  ///
  /// - Throws: `NPYError.unreadable` with the system's reason (missing, a directory, permission…).
  public static func read(path: String) throws(NPYError) -> [UInt8] {
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
  /// Writes a temporary file beside `path`, flushes it to disk, then renames it over `path`. On any
  /// failure the temporary file is removed and `path` is untouched.
  ///
  /// - Throws: `NPYError.unwritable` with the system's reason.
  public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(NPYError) {
    try checkWritable(path: path)
    let (directory, name) = split(path)
    var template = Array("\(directory)/.\(name).tmp-XXXXXX".utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
    guard fd >= 0 else { throw .unwritable(path: path, reason: lastError()) }
    let temporary = String(
      decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    var failure: String?
    var done = 0
    while failure == nil, done < bytes.count {
      let n = bytes.withUnsafeBytes { buffer in
        buffer.baseAddress.map { systemWrite(fd, $0 + done, bytes.count - done) } ?? 0
      }
      if n < 0 {
        if errno != EINTR { failure = lastError() }
      } else {
        done += n
      }
    }
    if failure == nil, fchmod(fd, 0o644) != 0 || fsync(fd) != 0 { failure = lastError() }
    if close(fd) != 0, failure == nil { failure = lastError() }
    if failure == nil, rename(temporary, path) != 0 { failure = lastError() }
    if let failure {
      unlink(temporary)
      throw .unwritable(path: path, reason: failure)
    }
  }

  /// Checks, before any long computation, that a file could be created or replaced at `path`.
  ///
  /// - Throws: `NPYError.unwritable` if the directory is missing or not writable, or `path` is a
  ///   directory.
  public static func checkWritable(path: String) throws(NPYError) {
    guard !path.isEmpty else { throw .unwritable(path: path, reason: "empty path") }
    var info = stat()
    if stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
      throw .unwritable(path: path, reason: "it is a directory")
    }
    let (directory, _) = split(path)
    guard stat(directory, &info) == 0 else {
      throw .unwritable(path: path, reason: "directory \(directory): \(lastError())")
    }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
      throw .unwritable(path: path, reason: "\(directory) is not a directory")
    }
    guard access(directory, W_OK) == 0 else {
      throw .unwritable(path: path, reason: "directory \(directory): \(lastError())")
    }
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
