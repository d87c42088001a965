/// A zero-filled Float32 buffer aligned to a cache line, freed when the last reference goes.
///
/// Kernels allocate these once per call or once per worker, never in an inner loop.
package final class AlignedBuffer: @unchecked Sendable {
  /// The first element; `count` elements follow.
  package let base: UnsafeMutablePointer<Float>
  /// Number of elements.
  package let count: Int
  private let tracker: AllocationTracker?

  /// Allocates `count` zeroed elements (at least one), counted by `problem`'s tracker if it has one.
  package init(count: Int, for problem: AttentionProblem) {
    let n = max(count, 1)
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
    base = raw.initializeMemory(as: Float.self, repeating: 0, count: n)
    self.count = n
    tracker = problem.allocationTracker
    tracker?.allocated(Self.bytes(n))
  }

  deinit {
    tracker?.freed(Self.bytes(count))
    base.deallocate()
  }

  /// Bytes used by a buffer of `count` elements.
  package static func bytes(_ count: Int) -> Int { max(count, 1) * MemoryLayout<Float>.stride }
}
