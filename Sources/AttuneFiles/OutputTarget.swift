#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// How an output path is written, decided before anything is computed.
///
/// A regular file (or a name not yet taken) is replaced atomically: a temporary file beside it,
/// complete and flushed, renamed over it. A symbolic link is followed, so the file it points to is
/// replaced (or created) and the link stays. A character device or a FIFO (`/dev/null`,
/// `/dev/stdout`, a named pipe) is written in place, as the user asked, never replaced by a
/// regular file. Anything else (a directory, a socket, a block device, a file with no write
/// permission, a loop of links) is refused with the reason.
enum OutputTarget: Equatable {
  /// Replace the regular file at this path (a link's target resolved), or create it.
  case replace(String)
  /// Write the device or FIFO at this path in place.
  case inPlace(String)

  /// The path written.
  var path: String {
    switch self {
    case .replace(let path), .inPlace(let path): path
    }
  }

  /// Decides how `path` is written.
  ///
  /// - Returns: The target and an identity (device and inode when the file exists, else the
  ///   resolved directory and name) so that two names of one file are caught.
  /// - Throws: `FileError.unwritable` saying why `path` cannot be written.
  static func resolve(_ path: String, depth: Int = 0) throws(FileError) -> (
    target: OutputTarget, identity: String
  ) {
    guard !path.isEmpty else { throw .unwritable(path: path, reason: "empty path") }
    var info = stat()
    guard lstat(path, &info) == 0 else {
      guard errno == ENOENT else { throw .unwritable(path: path, reason: lastError()) }
      let directory = try checkedDirectory(of: path)
      return (.replace(path), "\(directory)/\(FileIO.split(path).name)")
    }
    if (info.st_mode & S_IFMT) == S_IFLNK {
      guard stat(path, &info) == 0 else {
        // A link to a file not yet there: the file it names is created, the link kept.
        guard errno == ENOENT, depth < 8, let target = linkTarget(path) else {
          throw .unwritable(path: path, reason: lastError())
        }
        return try resolve(target, depth: depth + 1)
      }
      if (info.st_mode & S_IFMT) == S_IFREG {
        guard let resolved = realpath(path, nil) else {
          throw .unwritable(path: path, reason: lastError())
        }
        defer { free(resolved) }
        return try resolve(String(cString: resolved), depth: depth + 1)
      }
    }
    let identity = "\(info.st_dev):\(info.st_ino)"
    switch info.st_mode & S_IFMT {
    case S_IFREG:
      guard info.st_mode & 0o222 != 0 else {
        throw .unwritable(
          path: path,
          reason: "the file is read-only; make it writable or remove it to replace it")
      }
      _ = try checkedDirectory(of: path)
      return (.replace(path), identity)
    case S_IFCHR, S_IFIFO:
      guard access(path, W_OK) == 0 else { throw .unwritable(path: path, reason: lastError()) }
      return (.inPlace(path), identity)
    case S_IFDIR:
      throw .unwritable(path: path, reason: "it is a directory")
    default:
      throw .unwritable(
        path: path, reason: "it is not a regular file, a character device or a FIFO")
    }
  }

  /// The resolved directory that will hold `path`, checked to exist and be writable.
  private static func checkedDirectory(of path: String) throws(FileError) -> String {
    let (directory, name) = FileIO.split(path)
    guard !name.isEmpty, name != ".", name != ".." else {
      throw .unwritable(path: path, reason: "no file name")
    }
    guard name.utf8.count <= 255 else {
      throw .unwritable(path: path, reason: "the file name is longer than 255 bytes")
    }
    var info = stat()
    guard stat(directory, &info) == 0 else {
      throw .unwritable(path: path, reason: "directory \(directory): \(lastError())")
    }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
      throw .unwritable(path: path, reason: "\(directory) is not a directory")
    }
    guard access(directory, W_OK) == 0 else {
      throw .unwritable(path: path, reason: "directory \(directory): \(lastError())")
    }
    guard let resolved = realpath(directory, nil) else { return directory }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// The path a symbolic link names, relative ones taken from the link's directory.
  private static func linkTarget(_ path: String) -> String? {
    var buffer = [CChar](repeating: 0, count: 4097)
    let count = readlink(path, &buffer, 4096)
    guard count > 0 else { return nil }
    let target = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return target.hasPrefix("/") ? target : "\(FileIO.split(path).directory)/\(target)"
  }

  private static func lastError() -> String { String(cString: strerror(errno)) }
}
