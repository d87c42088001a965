import Synchronization

/// Counts the bytes kernels allocate through `AlignedBuffer` during one call, and their peak.
///
/// A benchmark attaches one to a problem to measure a kernel's real scratch memory; workers on
/// other threads update it atomically. Without a tracker nothing is counted.
package final class AllocationTracker: Sendable {
  private let current = Atomic<Int>(0)
  private let highest = Atomic<Int>(0)

  /// A tracker at zero.
  package init() {}

  /// The most bytes held at once since creation.
  package var peakBytes: Int { highest.load(ordering: .relaxed) }

  /// Records an allocation of `bytes`.
  package func allocated(_ bytes: Int) {
    let now = current.wrappingAdd(bytes, ordering: .relaxed).newValue
    var seen = highest.load(ordering: .relaxed)
    while now > seen {
      let (exchanged, original) = highest.compareExchange(
        expected: seen, desired: now, ordering: .relaxed)
      if exchanged { break }
      seen = original
    }
  }

  /// Records that `bytes` were freed.
  package func freed(_ bytes: Int) { current.wrappingSubtract(bytes, ordering: .relaxed) }
}
