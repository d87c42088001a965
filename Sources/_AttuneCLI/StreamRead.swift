import AttuneKernels

/// A plain streaming read of arrays: the memory-bandwidth reference for decoding
/// (`attune run --stream-read`). The arrays are copied once, end to end, into memory mapped as the
/// KV cache maps its pages (`PagePool`: 2 MiB huge pages where the system has them), so that the
/// reference reads memory as fast as the cache could; each call sums every element with vector
/// loads, split into contiguous chunks over `threads` workers (the kernels' `WorkerPool`, so
/// both sides of the comparison place their threads alike), and returns the sum so that the
/// reads cannot be optimised away.
final class StreamRead: @unchecked Sendable {
  /// The copy's memory; it lives as long as this reference.
  private let pool: PagePool
  private let base: UnsafeMutablePointer<Float>
  /// Floats copied.
  let count: Int
  let threads: Int

  /// Copies `arrays` for reads by `threads` workers.
  ///
  /// - Throws: `AttentionError.insufficientMemory` if the copy does not fit.
  init(_ arrays: [[Float]], threads: Int) throws(AttentionError) {
    count = arrays.reduce(0) { $0 + $1.count }
    self.threads = max(1, threads)
    let bytes = Platform.floatBytes(max(1, count))
    try Platform.checkMemory("a copy of K and V for --stream-read", bytes: bytes)
    pool = PagePool(pageBytes: (bytes + 63) / 64 * 64)
    base = try pool.page().bindMemory(to: Float.self, capacity: max(1, count))
    var offset = 0
    for array in arrays {
      array.withUnsafeBufferPointer { buffer in
        guard let source = buffer.baseAddress else { return }
        (base + offset).update(from: source, count: buffer.count)
      }
      offset += array.count
    }
  }

  /// The sum of every element, read by `threads` workers.
  func sum() -> Float {
    let (count, workers) = (count, threads)
    let partial = UnsafeMutableBufferPointer<Float>.allocate(capacity: workers)
    partial.initialize(repeating: 0)
    defer { partial.deallocate() }
    let shared = SendablePointer(partial.baseAddress)
    let source = SendableConstPointer(UnsafePointer(base))
    WorkerPool.shared.run(workers: workers) { worker in
      let start = count * worker / workers
      let end = count * (worker + 1) / workers
      var a = SIMD16<Float>.zero
      var b = SIMD16<Float>.zero
      var i = start
      let p = source.pointer
      while i + 32 <= end {
        a += UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
        b += UnsafeRawPointer(p + i + 16).loadUnaligned(as: SIMD16<Float>.self)
        i += 32
      }
      var s = (a + b).sum()
      while i < end {
        s += p[i]
        i += 1
      }
      shared.pointer?[worker] = s
    }
    return partial.reduce(0, +)
  }

  private struct SendablePointer: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Float>?
    init(_ pointer: UnsafeMutablePointer<Float>?) { self.pointer = pointer }
  }

  private struct SendableConstPointer: @unchecked Sendable {
    let pointer: UnsafePointer<Float>
    init(_ pointer: UnsafePointer<Float>) { self.pointer = pointer }
  }
}
