/// Float32 scratch: packed K, padded V, tiles, partial states.
package typealias AlignedBuffer = AlignedStorage<Float>

/// 32-bit words: bfloat16 pairs.
package typealias AlignedWords = AlignedStorage<UInt32>

/// A buffer aligned to a cache line, zero-filled unless asked otherwise, handed back to
/// `ScratchCache` when the last reference goes.
///
/// Kernels allocate these once per call or once per worker, never in an inner loop.
package final class AlignedStorage<Element: BitwiseCopyable>: @unchecked Sendable {
  /// The first element; `count` elements follow.
  package let base: UnsafeMutablePointer<Element>
  /// Number of elements.
  package let count: Int
  private let tracker: AllocationTracker?
  /// The size of the block behind `base` (at least `count` elements).
  private let blockBytes: Int

  /// Allocates `count` elements (at least one), counted by `problem`'s tracker if it has one:
  /// all bits zero, or when `zeroed` is false whatever the memory held (for scratch that is always
  /// written before it is read, which saves a pass over it on every call).
  package convenience init(count: Int, for problem: AttentionProblem, zeroed: Bool = true) {
    self.init(count: count, tracker: problem.allocationTracker, zeroed: zeroed)
  }

  /// Allocates `count` elements (at least one), counted by `tracker` if there is one.
  package init(count: Int, tracker: AllocationTracker?, zeroed: Bool = true) {
    let n = max(count, 1)
    let bytes = Self.bytes(n)
    let block = ScratchCache.shared.take(bytes: bytes)
    if zeroed { block.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: bytes) }
    base = block.pointer.bindMemory(to: Element.self, capacity: n)
    blockBytes = block.bytes
    self.count = n
    self.tracker = tracker
    tracker?.allocated(bytes)
  }

  deinit {
    tracker?.freed(Self.bytes(count))
    ScratchCache.shared.give(UnsafeMutableRawPointer(base), bytes: blockBytes)
  }

  /// Bytes used by a buffer of `count` elements.
  package static func bytes(_ count: Int) -> Int { max(count, 1) * MemoryLayout<Element>.stride }
}
