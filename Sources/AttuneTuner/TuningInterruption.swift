import Synchronization

/// A process-wide request to stop tuning early (set by a Ctrl-C handler): every strategy stops
/// before its next measurement, as if a budget had run out, with `StopReason.interrupted`, and
/// returns what it measured so far.
package enum TuningInterruption {
  private static let flag = Atomic<Bool>(false)

  /// Asks running and future tuning runs to stop. Safe to call from a signal handler (one
  /// atomic store).
  package static func request() { flag.store(true, ordering: .relaxed) }

  /// Whether a stop was requested.
  package static var isRequested: Bool { flag.load(ordering: .relaxed) }
}
