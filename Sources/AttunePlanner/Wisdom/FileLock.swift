import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive advisory lock on a file (`flock`), held while `body` runs, so processes that
/// update the same wisdom file take turns. The kernel releases it if the process dies.
enum FileLock {
  static func withLock<T>(
    _ path: String, _ body: () throws(WisdomError) -> T
  ) throws(WisdomError) -> T {
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw .unwritable(path: path, reason: String(cString: strerror(errno)))
    }
    defer { close(fd) }
    while flock(fd, LOCK_EX) != 0 {
      guard errno == EINTR else {
        throw .unwritable(path: path, reason: "lock: \(String(cString: strerror(errno)))")
      }
    }
    defer { flock(fd, LOCK_UN) }
    return try body()
  }
}
