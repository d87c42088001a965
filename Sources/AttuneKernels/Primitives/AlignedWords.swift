/// A zero-filled buffer of 32-bit words aligned to a cache line, freed with its last reference:
/// storage for bfloat16 pairs.
package final class AlignedWords: @unchecked Sendable {
  /// The first word; `count` follow.
  package let base: UnsafeMutablePointer<UInt32>
  /// Number of words.
  package let count: Int
  private let tracker: AllocationTracker?

  /// Allocates `count` zeroed words (at least one), counted by `problem`'s tracker if it has one.
  package init(count: Int, for problem: AttentionProblem) {
    let n = max(count, 1)
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: n * MemoryLayout<UInt32>.stride, alignment: 64)
    base = raw.initializeMemory(as: UInt32.self, repeating: 0, count: n)
    self.count = n
    tracker = problem.allocationTracker
    tracker?.allocated(Self.bytes(n))
  }

  deinit {
    tracker?.freed(Self.bytes(count))
    base.deallocate()
  }

  /// Bytes used by a buffer of `count` words.
  package static func bytes(_ count: Int) -> Int { max(count, 1) * MemoryLayout<UInt32>.stride }
}
