import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Persistent worker threads that spin briefly between jobs before they sleep.
///
/// Dispatch parks its workers as soon as a job ends, so every call of a multithreaded kernel paid
/// for waking a sleeping core (tens of microseconds on a virtual machine, and more after an idle
/// spell): a fifth of the time of a 0.5 ms call. Here a worker that finishes keeps polling for the
/// next job for about `spinSeconds` before it waits on a condition variable, as OpenMP and
/// onnxruntime do, so back-to-back calls start at once and an idle process still sleeps.
///
/// Both spinning loops yield the core every 256 polls, so a caller and a worker that the
/// scheduler put on the same core do not each wait out a whole time slice (4 ms here).
///
/// One job runs at a time; callers on other threads wait their turn. A job's body runs on the
/// calling thread (index 0) and on `workers − 1` pool threads.
package final class WorkerPool: @unchecked Sendable {
  /// The pool, with one thread fewer than the processors (the caller works too); started lazily.
  package static let shared = WorkerPool(threads: Platform.activeProcessorCount - 1)

  /// How long an idle worker polls before sleeping.
  package static let spinSeconds = 0.0005

  private let threadCount: Int
  private let epoch = Atomic<Int>(0)
  private let remaining = Atomic<Int>(0)
  private let sleeping = Atomic<Int>(0)
  private var body: (@Sendable (Int) -> Void)?
  private var participants = 0
  private let jobLock = Mutex<Void>(())
  private var mutex = pthread_mutex_t()
  private var condition = pthread_cond_t()
  private let started = Atomic<Bool>(false)

  private init(threads: Int) {
    threadCount = max(threads, 0)
    pthread_mutex_init(&mutex, nil)
    pthread_cond_init(&condition, nil)
  }

  /// Threads available to one job, the caller included.
  package var capacity: Int { threadCount + 1 }

  /// Runs `body(0)` on the calling thread and `body(1) … body(workers − 1)` on pool threads,
  /// and returns when all have finished. `workers` is capped at `capacity`.
  package func run(workers: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let helpers = min(max(workers, 1), capacity) - 1
    guard helpers > 0 else {
      body(0)
      return
    }
    startIfNeeded()
    jobLock.withLock { _ in
      self.body = body
      participants = helpers
      remaining.store(helpers, ordering: .relaxed)
      epoch.wrappingAdd(1, ordering: .releasing)
      if sleeping.load(ordering: .acquiring) > 0 {
        pthread_mutex_lock(&mutex)
        pthread_cond_broadcast(&condition)
        pthread_mutex_unlock(&mutex)
      }
      body(0)
      // Wait for the helpers; yield now and then in case one shares this core.
      var polls = 0
      while remaining.load(ordering: .acquiring) > 0 {
        polls &+= 1
        if polls & 255 == 0 { sched_yield() }
      }
      self.body = nil
    }
  }

  private func startIfNeeded() {
    guard threadCount > 0, !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
    for index in 1...threadCount {
      let context = Unmanaged.passRetained(WorkerContext(pool: self, index: index)).toOpaque()
      var thread = pthread_t()
      #if canImport(Darwin)
        pthread_create(
          &thread, nil,
          { raw in
            Unmanaged<WorkerContext>.fromOpaque(raw).takeRetainedValue().run()
            return nil
          }, context)
      #else
        pthread_create(
          &thread, nil,
          { raw in
            guard let raw else { return nil }
            Unmanaged<WorkerContext>.fromOpaque(raw).takeRetainedValue().run()
            return nil
          }, context)
      #endif
      pthread_detach(thread)
    }
  }

  /// A worker's loop: wait for a new epoch (spinning, then sleeping), run its part, report.
  fileprivate func work(index: Int) {
    var seen = 0  // the epoch before any job: a worker that starts late still sees the first
    let clock = SpinClock()
    while true {
      let spinStart = clock.now()
      var current = epoch.load(ordering: .acquiring)
      var polls = 0
      while current == seen {
        polls &+= 1
        if polls & 255 == 0, clock.now() - spinStart > Self.spinSeconds { break }
        current = epoch.load(ordering: .acquiring)
      }
      if current == seen {
        pthread_mutex_lock(&mutex)
        sleeping.wrappingAdd(1, ordering: .acquiringAndReleasing)
        while epoch.load(ordering: .acquiring) == seen {
          pthread_cond_wait(&condition, &mutex)
        }
        sleeping.wrappingSubtract(1, ordering: .acquiringAndReleasing)
        pthread_mutex_unlock(&mutex)
        current = epoch.load(ordering: .acquiring)
      }
      seen = current
      if index <= participants, let body {
        body(index)
        remaining.wrappingSubtract(1, ordering: .releasing)
      }
    }
  }
}

/// What a new pool thread needs.
private final class WorkerContext {
  let pool: WorkerPool
  let index: Int
  init(pool: WorkerPool, index: Int) {
    self.pool = pool
    self.index = index
  }
  func run() { pool.work(index: index) }
}

/// A cheap monotonic clock for bounding the spin.
private struct SpinClock {
  func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
  }
}
