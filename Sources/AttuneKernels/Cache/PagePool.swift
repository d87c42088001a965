#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The memory behind a `KVCache`'s pages: slabs of whole pages mapped from the system, each
/// holding as many pages as all the slabs before it (one page first, at most `largestSlabBytes`),
/// so that a growing cache maps memory a few times rather than once per page and wastes at most
/// the unused rest of its last slab (not touched, so not resident, unless huge pages fill it).
///
/// On Linux, a slab of `hugePageBytes` or more is aligned to that size and marked for
/// transparent huge pages (`madvise(MADV_HUGEPAGE)`: Debian's and Ubuntu's default policy gives
/// huge pages only where asked). Decoding reads every page of every sequence once per step, a
/// new 4 KiB page of the address space every 14 tokens and head at dk = dv = 128 in 8 bits, each
/// a TLB miss and a page walk; in 2 MiB pages the walks almost vanish. On a Zen 4 (AVX-512 with
/// VNNI), one decoding step over 8 sequences of 4k–32k tokens (`serving_benchmark.py`'s shape)
/// took 1.101 [1.051, 1.142]× the time from an 8-bit cache in 4 KiB pages (`serve_ab.py
/// --random`, 20 rounds), 1.025 [0.929, 1.101]× from float16 and 1.069 [0.991, 1.085]× from
/// float32 (12 rounds; BENCHMARKS.md, eleventh session). Elsewhere the slabs are plain anonymous
/// mappings.
///
/// Pages come zero-filled (fresh mappings are); a page given back to the cache is reused as it
/// is. The slabs are unmapped when the pool goes. Not thread-safe, as the cache.
package final class PagePool {
  /// The huge page size slabs are aligned to, where the system has them.
  package static let hugePageBytes = 2 << 20
  /// The most bytes of one slab (unless a single page is larger).
  package static let largestSlabBytes = 64 << 20

  /// Bytes of one page, as `PageGeometry.pageBytes` (a multiple of 64).
  package let pageBytes: Int
  /// Every slab mapped, with its size.
  private var slabs: [(base: UnsafeMutableRawPointer, bytes: Int)] = []
  /// The next unused page of the last slab, and the pages it has left.
  private var next: UnsafeMutableRawPointer?
  private var left = 0
  /// Pages handed out.
  package private(set) var pages = 0
  /// Bytes of every slab mapped.
  package private(set) var bytesMapped = 0

  /// A pool of pages of `pageBytes` (at least 1); nothing is mapped until a page is asked for.
  package init(pageBytes: Int) {
    self.pageBytes = max(1, pageBytes)
  }

  deinit {
    for slab in slabs { munmap(slab.base, slab.bytes) }
  }

  /// A new zero-filled page, 64-byte aligned, from the last slab or a new one.
  ///
  /// - Throws: `AttentionError.insufficientMemory` if the system maps no more memory.
  package func page() throws(AttentionError) -> UnsafeMutableRawPointer {
    if left == 0 {
      let (count, bytes) = slab(after: pages)
      guard bytes < Int.max, let base = Self.map(bytes) else {
        throw .insufficientMemory(
          what: "a slab of \(count) KV cache pages", requiredBytes: bytes,
          availableBytes: Platform.physicalMemoryBytes)
      }
      slabs.append((base, bytes))
      bytesMapped = Platform.totalBytes(bytesMapped, bytes)
      (next, left) = (base, count)
    }
    guard let page = next else {
      throw .insufficientMemory(
        what: "a KV cache page", requiredBytes: pageBytes, availableBytes: 0)
    }
    next = left > 1 ? page + pageBytes : nil
    left -= 1
    pages += 1
    return page
  }

  /// Bytes of the slabs that `count` more pages would map (0 if the last slab holds them), for
  /// a memory check before asking; `Int.max` if it overflows.
  package func bytesToMap(pages count: Int) -> Int {
    var (needed, made, total) = (count - left, pages + left, 0)
    while needed > 0 {
      let (n, bytes) = slab(after: made)
      total = Platform.totalBytes(total, bytes)
      if total == Int.max { return total }
      (needed, made) = (needed - n, made + n)
    }
    return total
  }

  /// The pages and bytes of the slab mapped after `made` pages: as many pages as made so far (at
  /// least one, at most what `largestSlabBytes` holds), its bytes rounded up to whole huge pages
  /// once it reaches one (the rounding holds more pages). `Int.max` bytes if they overflow.
  private func slab(after made: Int) -> (pages: Int, bytes: Int) {
    let count = min(max(1, made), max(1, Self.largestSlabBytes / pageBytes))
    var (bytes, overflow) = count.multipliedReportingOverflow(by: pageBytes)
    if overflow { return (count, Int.max) }
    if bytes >= Self.hugePageBytes {
      (bytes, overflow) = bytes.addingReportingOverflow(Self.hugePageBytes - 1)
      if overflow { return (count, Int.max) }
      bytes = bytes / Self.hugePageBytes * Self.hugePageBytes
    }
    return (bytes / pageBytes, bytes)
  }

  /// `bytes` of fresh anonymous memory, aligned to `hugePageBytes` and marked for huge pages on
  /// Linux when at least that large; nil if the system refuses.
  private static func map(_ bytes: Int) -> UnsafeMutableRawPointer? {
    let huge = bytes >= hugePageBytes
    // Mapped with a huge page to spare, then trimmed to an aligned start.
    let (total, overflow) = bytes.addingReportingOverflow(huge ? hugePageBytes : 0)
    guard !overflow,
      let raw = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANON, -1, 0),
      raw != MAP_FAILED
    else { return nil }
    guard huge else { return raw }
    let address = UInt(bitPattern: raw)
    let mask = UInt(hugePageBytes - 1)
    let head = Int(((address + mask) & ~mask) - address)
    if head > 0 { munmap(raw, head) }
    if total - head - bytes > 0 { munmap(raw + head + bytes, total - head - bytes) }
    #if os(Linux)
      _ = madvise(raw + head, bytes, MADV_HUGEPAGE)  // advice: where refused, plain pages
    #endif
    return raw + head
  }
}
