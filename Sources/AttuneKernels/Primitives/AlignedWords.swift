/// A zero-filled buffer of 32-bit words aligned to a cache line, freed with its last reference:
/// storage for bfloat16 pairs. Its memory comes from, and returns to, `ScratchCache`.
package final class AlignedWords: @unchecked Sendable {
  /// The first word; `count` follow.
  package let base: UnsafeMutablePointer<UInt32>
  /// Number of words.
  package let count: Int
  private let tracker: AllocationTracker?
  /// The size of the block behind `base` (at least `count` elements).
  private let blockBytes: Int

  /// Allocates `count` zeroed words (at least one), counted by `problem`'s tracker if it has one.
  package init(count: Int, for problem: AttentionProblem) {
    let n = max(count, 1)
    let block = ScratchCache.shared.take(bytes: n * MemoryLayout<UInt32>.stride)
    base = block.pointer.initializeMemory(as: UInt32.self, repeating: 0, count: n)
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

  /// Bytes used by a buffer of `count` words.
  package static func bytes(_ count: Int) -> Int { max(count, 1) * MemoryLayout<UInt32>.stride }
}
