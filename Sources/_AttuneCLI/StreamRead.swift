import AttuneKernels

/// A plain streaming read of memory: the bandwidth reference for decoding. Each call reads every
/// byte of its regions once with vector loads (summed as wrapping 32-bit integers, so that no
/// value pattern costs more than another and the reads cannot be optimised away), split into
/// contiguous chunks over `threads` workers (the kernels' `WorkerPool`, so both sides of a
/// comparison place their threads alike).
///
/// Two sources: a copy of arrays, end to end, in memory mapped as the KV cache maps its pages
/// (`PagePool`: 2 MiB huge pages where the system has them; `attune run --stream-read`); or the
/// pages a KV cache holds for some sequences, read where they are (the `read C` request of
/// `attune run --serve` with `--kv-storage`). The second is the like-for-like reference: where
/// memory streams at different speeds in different processes (on the virtual machine of
/// BENCHMARKS.md's thirteenth session, 35 and 54–60 GB/s in one run), a copy read in another
/// process can sit in faster or slower memory than the cache it is compared with.
final class StreamRead: @unchecked Sendable {
  /// What keeps the regions alive: the copy's pool, or the cache whose pages are read.
  private let owner: AnyObject
  /// The regions read, and their bytes before each.
  private let regions: [UnsafeRawBufferPointer]
  private let starts: [Int]
  /// Bytes read per call.
  let bytes: Int
  let threads: Int

  /// Copies `arrays` for reads by `threads` workers.
  ///
  /// - Throws: `AttentionError.insufficientMemory` if the copy does not fit.
  convenience init(_ arrays: [[Float]], threads: Int) throws(AttentionError) {
    let count = arrays.reduce(0) { $0 + $1.count }
    let bytes = Platform.floatBytes(max(1, count))
    try Platform.checkMemory("a copy of K and V for --stream-read", bytes: bytes)
    let pool = PagePool(pageBytes: (bytes + 63) / 64 * 64)
    let base = try pool.page().bindMemory(to: Float.self, capacity: max(1, count))
    var offset = 0
    for array in arrays {
      array.withUnsafeBufferPointer { buffer in
        guard let source = buffer.baseAddress else { return }
        (base + offset).update(from: source, count: buffer.count)
      }
      offset += array.count
    }
    self.init(
      regions: [UnsafeRawBufferPointer(start: base, count: 4 * count)], owner: pool,
      threads: threads)
  }

  /// Reads `regions` (kept alive by `owner`) with `threads` workers.
  init(regions: [UnsafeRawBufferPointer], owner: AnyObject, threads: Int) {
    self.owner = owner
    self.regions = regions
    var starts = [Int]()
    var total = 0
    for region in regions {
      starts.append(total)
      total += region.count
    }
    self.starts = starts
    bytes = total
    self.threads = max(1, threads)
  }

  /// The wrapping sum of every 32-bit word (and the bytes of each region's tail), read by
  /// `threads` workers.
  func sum() -> UInt32 {
    let workers = threads
    let partial = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: workers)
    partial.initialize(repeating: 0)
    defer { partial.deallocate() }
    let shared = SendablePointer(partial.baseAddress)
    let (regions, starts, total) = (Regions(regions), starts, bytes)
    WorkerPool.shared.run(workers: workers) { worker in
      let start = total * worker / workers
      let end = total * (worker + 1) / workers
      var s: UInt32 = 0
      // The part of each region in [start, end).
      for (index, region) in regions.list.enumerated() {
        let from = max(start, starts[index]) - starts[index]
        let to = min(end, starts[index] + region.count) - starts[index]
        if from < to, let base = region.baseAddress {
          s &+= Self.sum(base + from, bytes: to - from)
        }
      }
      shared.pointer?[worker] = s
    }
    return partial.reduce(0, &+)
  }

  /// The wrapping sum of `bytes` bytes at `p`: 32-bit words 128 bytes at a time, then bytes.
  private static func sum(_ p: UnsafeRawPointer, bytes: Int) -> UInt32 {
    var a = SIMD16<UInt32>.zero
    var b = SIMD16<UInt32>.zero
    var i = 0
    while i + 128 <= bytes {
      a &+= (p + i).loadUnaligned(as: SIMD16<UInt32>.self)
      b &+= (p + i + 64).loadUnaligned(as: SIMD16<UInt32>.self)
      i += 128
    }
    var s = (a &+ b).wrappedSum()
    while i < bytes {
      s &+= UInt32(p.load(fromByteOffset: i, as: UInt8.self))
      i += 1
    }
    return s
  }

  private struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<UInt32>?
    init(_ pointer: UnsafeMutablePointer<UInt32>?) { self.pointer = pointer }
  }

  private struct Regions: @unchecked Sendable {
    let list: [UnsafeRawBufferPointer]
    init(_ list: [UnsafeRawBufferPointer]) { self.list = list }
  }
}
