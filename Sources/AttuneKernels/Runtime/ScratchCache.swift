/// Keeps the memory of recently freed kernel scratch (packed K, tiles, partial states) for the
/// next call, so back-to-back calls do not fault in fresh pages each time.
///
/// Why: glibc serves large blocks either with `mmap` (fresh, zero pages on every call) or from the
/// heap, which it trims when the top is freed; which one happens depends on the process's history,
/// so a call's page faults did too (once 230 per N=2048 call, in a process that had read `.npy`
/// files; not reproduced since). Reusing blocks makes them independent of that history. Measured
/// with `scripts/bench/serve_ab.py` at N=2048, d=64: the build before the cache took 1.017× [0.967,
/// 1.040] the time of this one: a small gain, mostly insurance.
///
/// At most `capacityBytes` are kept, in at most `maximumBlocks` blocks, none larger than
/// `largestBlockBytes`; the rest is freed at once. A block is reused for a request of at least
/// half its size, so a small request does not pin a huge block.
package final class ScratchCache: @unchecked Sendable {
  /// The cache every `AlignedBuffer` and `AlignedWords` uses.
  package static let shared = ScratchCache()

  /// Bytes kept at most (32 MiB).
  package static let capacityBytes = 32 << 20
  /// Largest block kept (16 MiB).
  package static let largestBlockBytes = 16 << 20
  /// Blocks kept at most.
  package static let maximumBlocks = 16
  /// Alignment of every block: a cache line.
  package static let alignment = 64

  private struct Block {
    let pointer: UnsafeMutableRawPointer
    let bytes: Int
  }

  private struct State {
    var blocks: [Block] = []
    var cachedBytes = 0
  }

  private let lock = Lock()
  /// Guarded by `lock`.
  private var state = State()

  /// An empty cache (kernels use `shared`).
  package init() {}

  /// A block of at least `bytes` bytes, 64-byte aligned, uninitialised, and its real size.
  package func take(bytes: Int) -> (pointer: UnsafeMutableRawPointer, bytes: Int) {
    let reused = lock.withLock { () -> Block? in
      var best: Int?
      for (index, block) in state.blocks.enumerated()
      where block.bytes >= bytes && block.bytes / 2 <= bytes {
        if best.map({ block.bytes < state.blocks[$0].bytes }) ?? true { best = index }
      }
      guard let best else { return nil }
      let block = state.blocks.remove(at: best)
      state.cachedBytes -= block.bytes
      return block
    }
    if let reused { return (reused.pointer, reused.bytes) }
    let pointer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: Self.alignment)
    return (pointer, bytes)
  }

  /// Returns a block from `take`: kept for a later call if there is room, else freed.
  package func give(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
    let kept = lock.withLock { () -> Bool in
      guard bytes <= Self.largestBlockBytes else { return false }
      // Make room by dropping the oldest blocks first.
      var dropped: [Block] = []
      while !state.blocks.isEmpty
        && (state.cachedBytes + bytes > Self.capacityBytes
          || state.blocks.count >= Self.maximumBlocks)
      {
        let oldest = state.blocks.removeFirst()
        state.cachedBytes -= oldest.bytes
        dropped.append(oldest)
      }
      for block in dropped { block.pointer.deallocate() }
      guard state.cachedBytes + bytes <= Self.capacityBytes else { return false }
      state.blocks.append(Block(pointer: pointer, bytes: bytes))
      state.cachedBytes += bytes
      return true
    }
    if !kept { pointer.deallocate() }
  }

  /// Bytes currently kept.
  package var cachedBytes: Int { lock.withLock { state.cachedBytes } }

  /// Frees every kept block.
  package func removeAll() {
    let blocks = lock.withLock { () -> [Block] in
      defer {
        state.blocks.removeAll()
        state.cachedBytes = 0
      }
      return state.blocks
    }
    for block in blocks { block.pointer.deallocate() }
  }
}
