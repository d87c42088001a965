import AttuneKernels
import Foundation
import Testing

/// The KV cache's page memory: distinct zero-filled pages, slabs that grow as the cache does,
/// the memory check's forecast equal to what is mapped, and huge-page slabs aligned and marked.
struct PagePoolTests {
  @Test("pages: distinct, aligned, zero-filled, writable; slabs double; the forecast is exact")
  func pages() throws {
    for pageBytes in [64, 4096 + 64, 589_824, 3 << 20] {
      let pool = PagePool(pageBytes: pageBytes)
      #expect(pool.bytesMapped == 0)
      var pages = [UnsafeMutableRawPointer]()
      for _ in 0..<40 {
        let forecast = pool.bytesToMap(pages: 1)
        let mapped = pool.bytesMapped
        let page = try pool.page()
        #expect(pool.bytesMapped - mapped == forecast, "page bytes \(pageBytes)")
        #expect(UInt(bitPattern: page) % 64 == 0)
        let bytes = UnsafeMutableRawBufferPointer(start: page, count: pageBytes)
        #expect(bytes.allSatisfy { $0 == 0 }, "page bytes \(pageBytes): not zero-filled")
        bytes.initializeMemory(as: UInt8.self, repeating: UInt8(pages.count % 255 + 1))
        pages.append(page)
      }
      // No two pages overlap: each still holds its own byte.
      for (i, page) in pages.enumerated() {
        let bytes = UnsafeRawBufferPointer(start: page, count: pageBytes)
        #expect(bytes.allSatisfy { $0 == UInt8(i % 255 + 1) }, "page \(i) of \(pageBytes) bytes")
      }
      #expect(pool.pages == 40)
      // Slabs as large as all before them: at most about twice the pages' bytes, plus the
      // rounding of each huge slab to whole huge pages.
      let used = 40 * pageBytes
      #expect(pool.bytesMapped >= used)
      #expect(pool.bytesMapped <= 2 * used + 8 * PagePool.hugePageBytes)
      // Many pages at once: the forecast is the sum of the slabs they take.
      let forecast = pool.bytesToMap(pages: 100)
      let mapped = pool.bytesMapped
      for _ in 0..<100 { _ = try pool.page() }
      #expect(pool.bytesMapped - mapped == forecast)
    }
  }

  @Test("a page too large to map is an error, not a crash")
  func tooLarge() {
    let pool = PagePool(pageBytes: Int.max - 64)
    #expect(pool.bytesToMap(pages: 1) == Int.max)
    #expect(throws: AttentionError.self) { try pool.page() }
    #expect(pool.bytesMapped == 0 && pool.pages == 0)
  }

  /// On Linux, a slab of a huge page or more starts on a huge page boundary and its mapping is
  /// eligible for transparent huge pages (`/proc/self/smaps`), unless the system has them off.
  @Test("huge slabs are aligned to huge pages and marked for them")
  func hugePages() throws {
    let pageBytes = 589_824  // an 8-bit page of 8 heads, 256 tokens, d = 128
    let pool = PagePool(pageBytes: pageBytes)
    var first: UnsafeMutableRawPointer?
    // The slab mapped after at least 4 pages holds 2 MiB or more.
    for _ in 0..<16 {
      let forecast = pool.bytesToMap(pages: 1)
      let page = try pool.page()
      if forecast >= PagePool.hugePageBytes, first == nil { first = page }
    }
    let start = try #require(first)
    #expect(UInt(bitPattern: start) % UInt(PagePool.hugePageBytes) == 0)
    // The pool must outlive the reading of its mappings.
    defer { withExtendedLifetime(pool) {} }
    #if os(Linux)
      let policy =
        (try? String(
          contentsOfFile: "/sys/kernel/mm/transparent_hugepage/enabled", encoding: .utf8)) ?? ""
      guard policy.contains("[always]") || policy.contains("[madvise]") else { return }
      // Read to the end: `String(contentsOfFile:)` stops after the first block of a /proc file.
      let file = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
      let smaps = String(decoding: file.readDataToEndOfFile(), as: UTF8.self)
      try file.close()
      let address = UInt(bitPattern: start)
      var inside = false
      var eligible: Bool?
      for line in smaps.split(separator: "\n") {
        let fields = line.split(separator: " ")
        if let range = fields.first, range.contains("-"), !range.hasSuffix(":") {
          let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
          inside = bounds.count == 2 && bounds[0] <= address && address < bounds[1]
        } else if inside, fields.first == "THPeligible:" {
          eligible = fields.last == "1"
        }
      }
      #expect(eligible == true, "the slab's mapping is not eligible for huge pages")
    #endif
  }
}
