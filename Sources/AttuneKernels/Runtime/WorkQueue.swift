import Synchronization

/// Hands out the items `0..<count` to concurrent workers, one at a time, so a worker that finishes
/// early takes more and both cores stay busy to the end.
package final class WorkQueue: Sendable {
  /// Number of items.
  package let count: Int
  private let next = Atomic<Int>(0)

  /// A queue of the items `0..<count`.
  package init(count: Int) { self.count = count }

  /// The next item, or nil when every item has been taken.
  @inline(__always)
  package func take() -> Int? {
    let item = next.wrappingAdd(1, ordering: .relaxed).oldValue
    return item < count ? item : nil
  }

  /// Runs `worker` on `min(threads, count)` threads (the caller and `WorkerPool` helpers); each
  /// call drains items from one shared queue.
  ///
  /// With one worker it runs on the calling thread. `worker` must write only memory that belongs to
  /// the items it takes.
  package static func run(
    items count: Int, threads: Int, _ worker: @escaping @Sendable (WorkQueue) -> Void
  ) {
    let queue = WorkQueue(count: count)
    let workers = max(1, min(threads, count))
    if workers == 1 {
      worker(queue)
    } else {
      WorkerPool.shared.run(workers: workers) { _ in worker(queue) }
    }
  }
}

/// A mutable output pointer shared by workers that write disjoint rows.
package struct SharedOutput: @unchecked Sendable {
  /// The first element of the output.
  package let base: UnsafeMutablePointer<Float>

  /// Wraps `buffer`'s base address (the buffer is never empty after validation).
  package init(_ buffer: UnsafeMutableBufferPointer<Float>) {
    guard let base = buffer.baseAddress else {
      preconditionFailure("a validated output has at least one element")
    }
    self.base = base
  }
}
