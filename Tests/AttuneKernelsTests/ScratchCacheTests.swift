import AttuneKernels
import Testing
import _AttuneTestSupport

/// The scratch cache: freed blocks come back for the next call of a similar size, and it never
/// keeps more than its bounds.
struct ScratchCacheTests {
  @Test func aFreedBlockServesTheNextRequestOfItsSize() {
    let cache = ScratchCache()
    defer { cache.removeAll() }
    let first = cache.take(bytes: 1 << 20)
    #expect(Int(bitPattern: first.pointer) % ScratchCache.alignment == 0)
    cache.give(first.pointer, bytes: first.bytes)
    #expect(cache.cachedBytes == 1 << 20)
    let second = cache.take(bytes: 900_000)
    #expect(second.pointer == first.pointer && second.bytes == 1 << 20)
    #expect(cache.cachedBytes == 0)
    // A request under half the block's size gets a block of its own.
    cache.give(second.pointer, bytes: second.bytes)
    let small = cache.take(bytes: 1000)
    #expect(small.pointer != first.pointer && small.bytes == 1000)
    #expect(cache.cachedBytes == 1 << 20)
    cache.give(small.pointer, bytes: small.bytes)
  }

  @Test func itStaysWithinItsBounds() {
    let cache = ScratchCache()
    defer { cache.removeAll() }
    let blocks = (0..<40).map { _ in cache.take(bytes: 3 << 20) }
    for block in blocks { cache.give(block.pointer, bytes: block.bytes) }
    #expect(cache.cachedBytes <= ScratchCache.capacityBytes)
    #expect(cache.cachedBytes >= ScratchCache.capacityBytes - (3 << 20))
    let huge = cache.take(bytes: ScratchCache.largestBlockBytes + 1)
    let before = cache.cachedBytes
    cache.give(huge.pointer, bytes: huge.bytes)
    #expect(cache.cachedBytes == before)
    let many = (0..<(ScratchCache.maximumBlocks + 5)).map { _ in cache.take(bytes: 64) }
    for block in many { cache.give(block.pointer, bytes: block.bytes) }
    cache.removeAll()
    #expect(cache.cachedBytes == 0)
  }

  /// The fused kernel does not zero its per-worker scratch: it must write every value before it
  /// reads it. Fill the shared cache with NaN blocks of many sizes, then check results.
  @Test func theFusedKernelIgnoresWhateverReusedScratchHeld() throws {
    var size = 256
    var poisoned: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []
    while size <= 4 << 20 {
      let block = ScratchCache.shared.take(bytes: size)
      block.pointer.initializeMemory(as: Float.self, repeating: .nan, count: block.bytes / 4)
      poisoned.append(block)
      size *= 2
    }
    for block in poisoned { ScratchCache.shared.give(block.pointer, bytes: block.bytes) }
    for (nq, nk, d) in [(1, 700, 64), (65, 1000, 16), (300, 300, 72), (2, 5000, 128)] {
      let problem = Problem(
        shape: AttentionShape(queries: nq, keys: nk, headDim: d), data: .random, seed: 8)
      for kernel in [try FusedAttention(blockQ: 16, blockK: 64, threads: 2), FusedAttention()] {
        let got = try problem.inputs.run(kernel, options: problem.options)
        #expect(
          maxAbsoluteError(got, problem.oracle()) <= 2e-6 * problem.maxAbsValue,
          "\(kernel.configurationDescription) on \(problem.inputs.shape)")
      }
    }
  }

  /// The `attune` command's allocator setting: glibc accepts both thresholds (on other C
  /// libraries nothing is set and the call says so).
  @Test func glibcKeepsFreedMemoryWhenAsked() {
    #if canImport(Glibc)
      #expect(Platform.retainFreedMemory())
    #else
      #expect(!Platform.retainFreedMemory())
    #endif
  }
}
