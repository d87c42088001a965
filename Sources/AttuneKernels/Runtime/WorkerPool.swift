import Dispatch
import Synchronization
internal import _AttuneShims

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Long-lived helper threads that run the parallel part of every kernel call, each on a CPU of
/// its own.
///
/// Two things keep both cores busy that `DispatchQueue.concurrentPerform` did not:
/// - Placement. When a sleeping worker is woken, Linux tends to place it on the waking thread's
///   CPU, and two threads that just ran there count as cache-hot, so the load balancer leaves them
///   sharing one CPU while the other idles. `scripts/bench/serve_ab.py` at N=512, d=64, with samples
///   after 300 ms idle: with `concurrentPerform` a 2-thread call took 0.997× the time of a
///   1-thread one (both workers on one CPU); with this pool the 1-thread call takes 1.75× the
///   2-thread time, and 2 threads after idle take 1.003× their back-to-back time. So a helper that
///   runs a call checks the caller's CPU and, if needed, pins itself to another CPU of the process
///   (helper `k` to the `k`-th CPU other than the caller's). A helper stays pinned until a caller
///   runs on its CPU; under contention the work queue still balances, since the caller takes the
///   items a slowed helper does not.
/// - Wake-up cost. Helpers spin briefly after each call, so back-to-back calls start them at once,
///   and then sleep on a condition variable, so an idle process uses no CPU.
///
/// One call at a time uses the pool; a call that finds it busy (another thread's call, or a
/// kernel started from inside a pool worker) runs on `concurrentPerform` instead, so nothing waits
/// on the pool and nothing deadlocks.
package final class WorkerPool: @unchecked Sendable {
  /// The pool every kernel uses.
  package static let shared = WorkerPool()

  /// How long a helper (and the caller, waiting for the helpers) polls before it sleeps: long
  /// enough to span the gap between back-to-back calls (waking a sleeping thread costs a futex
  /// call on each side), short enough to give the CPU back soon. Chosen among 5, 10, 20 and 50 µs
  /// with a temporary switch (not kept): shorter spins let small back-to-back calls pay the
  /// wake-up, 50 µs slowed some calls after idle pauses.
  private static let spinNanoseconds = 20_000

  /// Polls `done` until it returns true or `spinNanoseconds` have passed; reads the clock once
  /// every 64 polls. Returns whether `done` became true.
  @inline(__always)
  private static func spin(until done: () -> Bool) -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: .nanoseconds(spinNanoseconds))
    while true {
      for _ in 0..<64 where done() { return true }
      if clock.now >= deadline { return done() }
    }
  }

  /// `generation << 16 | workers` of the latest call: helpers with an index below `workers` run it.
  private let state = Atomic<Int>(0)
  /// Helpers still running the current call.
  private let remaining = Atomic<Int>(0)
  /// The CPU the caller of the current call runs on (−1: unknown).
  private let callerCPU = Atomic<Int>(-1)
  /// Held by the caller whose call owns the pool.
  private let busy = Lock()
  /// The current call's body; written before `state` announces the call.
  private var body: ((Int) -> Void)?
  private var helperCount = 0
  private let lock: UnsafeMutablePointer<pthread_mutex_t>
  private let wake: UnsafeMutablePointer<pthread_cond_t>
  private let done: UnsafeMutablePointer<pthread_cond_t>

  private init() {
    lock = .allocate(capacity: 1)
    wake = .allocate(capacity: 1)
    done = .allocate(capacity: 1)
    pthread_mutex_init(lock, nil)
    pthread_cond_init(wake, nil)
    pthread_cond_init(done, nil)
  }

  /// Runs `body(0)` on the calling thread and `body(1)`, …, `body(workers − 1)` on helpers, and
  /// returns when all have returned.
  package func run(workers: Int, _ body: @escaping @Sendable (Int) -> Void) {
    guard workers > 1 else {
      body(0)
      return
    }
    let owned = busy.tryLock()
    guard owned, workers < 1 << 16, ensureHelpers(workers - 1) else {
      if owned { busy.unlock() }
      DispatchQueue.concurrentPerform(iterations: workers, execute: body)
      return
    }
    self.body = body
    remaining.store(workers - 1, ordering: .relaxed)
    callerCPU.store(Int(attune_current_cpu()), ordering: .relaxed)
    let generation = (state.load(ordering: .relaxed) >> 16) &+ 1
    pthread_mutex_lock(lock)
    state.store(generation << 16 | workers, ordering: .releasing)
    pthread_cond_broadcast(wake)
    pthread_mutex_unlock(lock)
    body(0)
    waitForHelpers()
    self.body = nil
    busy.unlock()
  }

  /// Spins, then sleeps, until every helper of the current call has finished.
  private func waitForHelpers() {
    if Self.spin(until: { remaining.load(ordering: .acquiring) == 0 }) { return }
    pthread_mutex_lock(lock)
    while remaining.load(ordering: .acquiring) > 0 { pthread_cond_wait(done, lock) }
    pthread_mutex_unlock(lock)
  }

  /// Starts helpers until there are `count`; false if the system refuses a thread.
  private func ensureHelpers(_ count: Int) -> Bool {
    while helperCount < count {
      // The helper starts from the generation before this call's, so it cannot miss the call.
      let context = Unmanaged.passRetained(
        Helper(
          pool: self, index: helperCount + 1,
          generation: state.load(ordering: .relaxed) >> 16))
      #if canImport(Darwin)
        var thread: pthread_t?
      #else
        var thread = pthread_t()
      #endif
      let started = pthread_create(
        &thread, nil,
        { argument in
          #if canImport(Darwin)
            let pointer = argument
          #else
            guard let pointer = argument else { return nil }
          #endif
          Unmanaged<Helper>.fromOpaque(pointer).takeRetainedValue().loop()
          return nil
        }, context.toOpaque())
      guard started == 0 else {
        context.release()
        return false
      }
      pthread_detach(thread)
      helperCount += 1
    }
    return true
  }

  /// One helper thread's identity.
  private final class Helper {
    let pool: WorkerPool
    let index: Int
    let generation: Int
    /// The caller CPU this helper last pinned itself away from.
    var avoidedCPU = -1
    init(pool: WorkerPool, index: Int, generation: Int) {
      self.pool = pool
      self.index = index
      self.generation = generation
    }

    /// Waits for calls forever, running its share of each call that has enough workers.
    func loop() {
      var seen = generation
      while true {
        let announced = WorkerPool.spin(until: {
          pool.state.load(ordering: .acquiring) >> 16 != seen
        })
        if !announced {
          pthread_mutex_lock(pool.lock)
          while pool.state.load(ordering: .acquiring) >> 16 == seen {
            pthread_cond_wait(pool.wake, pool.lock)
          }
          pthread_mutex_unlock(pool.lock)
        }
        let current = pool.state.load(ordering: .acquiring)
        seen = current >> 16
        guard index < current & 0xFFFF, let body = pool.body else { continue }
        let caller = pool.callerCPU.load(ordering: .relaxed)
        if caller >= 0, caller != avoidedCPU {
          // Helper k takes the k-th CPU other than the caller's: every worker on its own CPU.
          avoidedCPU = caller
          _ = attune_pin_current_thread(Int32(index - 1), Int32(caller))
        }
        body(index)
        if pool.remaining.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 {
          pthread_mutex_lock(pool.lock)
          pthread_cond_signal(pool.done)
          pthread_mutex_unlock(pool.lock)
        }
      }
    }
  }
}
