import AttuneKernels
import Dispatch
import Synchronization
import Testing
import _AttuneTestSupport

/// Many threads calling the multithreaded kernels at once: they share one worker pool, and every
/// result must still match the oracle.
struct ConcurrencyTests {
  @Test("16 concurrent callers × 3 multithreaded kernels give correct results")
  func concurrentCallers() throws {
    let problems = (0..<16).map { index in
      Problem(
        shape: AttentionShape(queries: 70 + index, keys: 90 + 3 * index, headDim: 24, valueDim: 20),
        data: .random, seed: UInt64(100 + index))
    }
    let oracles = problems.map { $0.oracle() }
    let kernels: [any AttentionKernel] = [
      try ParallelAttention(blockSize: 16, threads: 2),
      try SIMDAttention(blockSize: 16, threads: 2),
      try FusedAttention(blockQ: 16, blockK: 32, threads: 2),
    ]
    let worst = Mutex(0.0)
    DispatchQueue.concurrentPerform(iterations: problems.count * 4) { iteration in
      let index = iteration % problems.count
      let problem = problems[index]
      for kernel in kernels {
        guard let got = try? problem.inputs.run(kernel, options: problem.options) else {
          worst.withLock { $0 = .infinity }
          return
        }
        let error = maxAbsoluteError(got, oracles[index]) / problem.maxAbsValue
        worst.withLock { $0 = max($0, error) }
      }
    }
    #expect(worst.withLock { $0 } <= 2e-6)
  }
}
