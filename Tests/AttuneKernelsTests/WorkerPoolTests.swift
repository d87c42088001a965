import AttuneKernels
import Dispatch
import Synchronization
import Testing
import _AttuneTestSupport

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The kernels' thread pool: every worker index runs exactly once per call, whatever the worker
/// count, from many threads at once, and from inside a worker.
struct WorkerPoolTests {
  /// Runs one call of `workers` and returns how often each index ran.
  static func counts(workers: Int) -> [Int] {
    let tally = Tally(workers)
    WorkerPool.shared.run(workers: workers) { index in tally.counts.withLock { $0[index] += 1 } }
    return tally.counts.withLock { $0 }
  }

  final class Tally: Sendable {
    let counts: Mutex<[Int]>
    init(_ workers: Int) { counts = Mutex(Array(repeating: 0, count: workers)) }
  }

  @Test("each index runs once", arguments: [1, 2, 3, 5, 8])
  func eachIndexOnce(workers: Int) {
    for _ in 0..<200 {
      let counts = Self.counts(workers: workers)
      #expect(counts == Array(repeating: 1, count: workers))
      if counts != Array(repeating: 1, count: workers) { break }
    }
  }

  @Test func callsFromManyThreadsAtOnce() {
    let failures = Tally(1)
    DispatchQueue.concurrentPerform(iterations: 8) { caller in
      for call in 0..<100 {
        let workers = 1 + (caller + call) % 4
        if Self.counts(workers: workers) != Array(repeating: 1, count: workers) {
          failures.counts.withLock { $0[0] += 1 }
        }
      }
    }
    #expect(failures.counts.withLock { $0[0] } == 0)
  }

  @Test func aCallFromInsideAWorker() {
    let inner = Tally(1)
    WorkerPool.shared.run(workers: 2) { _ in
      WorkerPool.shared.run(workers: 3) { _ in inner.counts.withLock { $0[0] += 1 } }
    }
    #expect(inner.counts.withLock { $0[0] } == 6)
  }

  @Test func aKernelAfterAnIdlePauseStillMatchesTheOracle() throws {
    // The helpers sleep after a pause; the call that wakes them must still do all the work.
    let problem = Problem(
      shape: AttentionShape(queries: 300, keys: 300, headDim: 32), data: .random, seed: 3)
    let kernel = try FusedAttention(blockQ: 16, blockK: 64, threads: 2)
    for _ in 0..<3 {
      usleep(200_000)
      let got = try problem.inputs.run(kernel, options: problem.options)
      #expect(maxAbsoluteError(got, problem.oracle()) <= 2e-6 * problem.maxAbsValue)
    }
  }
}
