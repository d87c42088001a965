#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A mutual-exclusion lock on `pthread_mutex_t`.
///
/// Used instead of `Synchronization.Mutex` where ThreadSanitizer must see the synchronisation:
/// on Linux `Mutex` waits with raw futex calls, which the sanitizer does not intercept, so every
/// access it protects is reported as a race.
package final class Lock: @unchecked Sendable {
  private let mutex: UnsafeMutablePointer<pthread_mutex_t>

  /// An unlocked lock.
  package init() {
    mutex = .allocate(capacity: 1)
    pthread_mutex_init(mutex, nil)
  }

  deinit {
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
  }

  /// Runs `body` holding the lock.
  @inline(__always)
  package func withLock<T>(_ body: () throws -> T) rethrows -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return try body()
  }

  /// Takes the lock if it is free; returns whether it did.
  package func tryLock() -> Bool { pthread_mutex_trylock(mutex) == 0 }

  /// Releases a lock taken with `tryLock`.
  package func unlock() { pthread_mutex_unlock(mutex) }
}
