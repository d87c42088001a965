import AttuneKernels
import Dispatch
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
    WorkerPool.shared.run(workers: workers) { index in tally.add(index) }
    return tally.counts
  }

  /// Counts behind a `Lock` (whose pthread mutex ThreadSanitizer understands).
  final class Tally: @unchecked Sendable {
    private let lock = Lock()
    private var values: [Int]
    init(_ workers: Int) { values = Array(repeating: 0, count: workers) }
    func add(_ index: Int) { lock.withLock { values[index] += 1 } }
    var counts: [Int] { lock.withLock { values } }
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
          failures.add(0)
        }
      }
    }
    #expect(failures.counts[0] == 0)
  }

  @Test func aCallFromInsideAWorker() {
    let inner = Tally(1)
    WorkerPool.shared.run(workers: 2) { _ in
      WorkerPool.shared.run(workers: 3) { _ in inner.add(0) }
    }
    #expect(inner.counts[0] == 6)
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
