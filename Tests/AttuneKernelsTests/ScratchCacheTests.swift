import AttuneKernels
import Testing

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
}
