import AttuneKernels

/// A plain streaming read of arrays: the memory-bandwidth reference for decoding
/// (`attune run --stream-read`). Sums every element with vector loads, split into contiguous
/// chunks over `threads` workers (the kernels' `WorkerPool`, so both sides of the comparison
/// place their threads alike); the sum is returned so the reads cannot be optimised away.
enum StreamRead {
  static func sum(_ arrays: [[Float]], threads: Int) -> Float {
    var total: Float = 0
    for array in arrays {
      array.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        let count = buffer.count
        let workers = max(1, threads)
        let partial = UnsafeMutableBufferPointer<Float>.allocate(capacity: workers)
        partial.initialize(repeating: 0)
        defer { partial.deallocate() }
        let shared = SendablePointer(partial.baseAddress)
        let source = SendableConstPointer(base)
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
        total += partial.reduce(0, +)
      }
    }
    return total
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
