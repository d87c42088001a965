/// A Float32 buffer aligned to a cache line, zero-filled unless asked otherwise, handed back to
/// `ScratchCache` when the last reference goes.
///
/// Kernels allocate these once per call or once per worker, never in an inner loop.
package final class AlignedBuffer: @unchecked Sendable {
  /// The first element; `count` elements follow.
  package let base: UnsafeMutablePointer<Float>
  /// Number of elements.
  package let count: Int
  private let tracker: AllocationTracker?
  /// The size of the block behind `base` (at least `count` elements).
  private let blockBytes: Int

  /// Allocates `count` elements (at least one), counted by `problem`'s tracker if it has one:
  /// zeros, or when `zeroed` is false whatever the memory held (for scratch that is always written
  /// before it is read, which saves a pass over it on every call).
  package init(count: Int, for problem: AttentionProblem, zeroed: Bool = true) {
    let n = max(count, 1)
    let block = ScratchCache.shared.take(bytes: n * MemoryLayout<Float>.stride)
    base =
      zeroed
      ? block.pointer.initializeMemory(as: Float.self, repeating: 0, count: n)
      : block.pointer.bindMemory(to: Float.self, capacity: n)
    blockBytes = block.bytes
    self.count = n
    tracker = problem.allocationTracker
    tracker?.allocated(Self.bytes(n))
  }

  deinit {
    tracker?.freed(Self.bytes(count))
    base.deinitialize(count: count)
    ScratchCache.shared.give(UnsafeMutableRawPointer(base), bytes: blockBytes)
  }

  /// Bytes used by a buffer of `count` elements.
  package static func bytes(_ count: Int) -> Int { max(count, 1) * MemoryLayout<Float>.stride }
}
