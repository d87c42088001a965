internal import _AttuneShims

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Facts about the machine the kernels run on.
package enum Platform {
  /// Processors this process may run on (at least 1).
  package static let activeProcessorCount: Int = {
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
  }()

  /// Physical memory in bytes, or `Int.max` when the system does not say.
  package static let physicalMemoryBytes: Int = {
    let pages = sysconf(Int32(_SC_PHYS_PAGES))
    let pageSize = sysconf(Int32(_SC_PAGESIZE))
    guard pages > 0, pageSize > 0 else { return Int.max }
    let (bytes, overflow) = Int(pages).multipliedReportingOverflow(by: Int(pageSize))
    return overflow ? Int.max : bytes
  }()

  /// Asks glibc's allocator to keep what a call frees for the next call: blocks up to 32 MiB
  /// come from its heap (not fresh `mmap` pages each time) and up to 256 MiB freed at the top of
  /// a heap stay with the process. Without it a process that calls the kernels repeatedly gives
  /// each call's gradients or output back to the system and faults them in again on the next call
  /// (glibc trims a heap whose freed top exceeds twice its last `mmap` threshold): at B=1, H=8,
  /// N=1024, d=64 the backward spent about 5 % of its time in page faults of its 6 MB of
  /// gradients. For programs (the `attune` command calls it first), never for a library: it sets
  /// the whole process's allocator. Returns false where the C library is not glibc (then nothing
  /// changed).
  @discardableResult
  package static func retainFreedMemory() -> Bool {
    attune_retain_freed_memory(32 << 20, 256 << 20)
  }

  /// The sum of byte counts, saturating at `Int.max` (as `floatBytes` does), for totals that
  /// `checkMemory` then refuses instead of wrapping around.
  package static func totalBytes(_ parts: Int...) -> Int {
    var total = 0
    for part in parts {
      let (sum, overflow) = total.addingReportingOverflow(part)
      if overflow || part == Int.max { return Int.max }
      total = sum
    }
    return total
  }

  /// Bytes of `count` Float32 values, saturating at `Int.max`.
  package static func floatBytes(_ count: Int) -> Int {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.stride)
    return overflow ? Int.max : bytes
  }

  /// Throws if `bytes` exceed physical memory, so a huge request fails with a message instead of
  /// the allocator stopping the process.
  ///
  /// - Throws: `AttentionError.insufficientMemory` naming `what`.
  package static func checkMemory(_ what: String, bytes: Int) throws(AttentionError) {
    guard bytes <= physicalMemoryBytes else {
      throw .insufficientMemory(
        what: what, requiredBytes: bytes, availableBytes: physicalMemoryBytes)
    }
  }

  /// `e^x` from the C library, for scalar code paths.
  @inline(__always)
  package static func exp(_ x: Float) -> Float { expf(x) }

  /// `e^x` in Float64 from the C library.
  package static func exp(_ x: Double) -> Double { libmExp(x) }

  /// Natural logarithm from the C library.
  package static func log(_ x: Double) -> Double { libmLog(x) }

  /// Cosine from the C library.
  package static func cos(_ x: Double) -> Double { libmCos(x) }
}

// `Platform.log` and `Platform.cos` shadow the C functions inside the type; these reach them.
private func libmLog(_ x: Double) -> Double { log(x) }
private func libmExp(_ x: Double) -> Double { exp(x) }
private func libmCos(_ x: Double) -> Double { cos(x) }
