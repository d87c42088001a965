#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A source of time for the measurement engine. Real runs use `MonotonicClock`; tests use a
/// synthetic clock whose candidates "take" known times, so the engine's logic is tested without
/// timing anything.
public protocol BenchmarkClock: Sendable {
  /// The current time in seconds since an arbitrary fixed origin; never decreases.
  func seconds() -> Double
}

/// The system's monotonic clock (`CLOCK_MONOTONIC`): unaffected by changes to the wall clock,
/// with nanosecond resolution.
public struct MonotonicClock: BenchmarkClock {
  /// The system clock.
  public init() {}

  /// Seconds since boot.
  public func seconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
  }
}
