/// A value guarded by a `Lock`: `Synchronization.Mutex`'s shape, visible to ThreadSanitizer.
package final class Locked<Value>: @unchecked Sendable {
  private let lock = Lock()
  private var value: Value

  /// Guards `value`.
  package init(_ value: Value) { self.value = value }

  /// Runs `body` on the value, holding the lock.
  package func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
    try lock.withLock { try body(&value) }
  }
}
