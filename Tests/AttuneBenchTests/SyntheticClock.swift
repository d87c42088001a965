import AttuneBench
import AttuneKernels
import Synchronization
import _AttuneTestSupport

/// A clock that only moves when a synthetic candidate "runs": each call advances it by the
/// candidate's true time × log-normal noise × the machine's drift at that moment. Tests of the
/// engine and its statistics then need no real timing and replay exactly from a seed.
final class SyntheticClock: BenchmarkClock, Sendable {
  private struct State {
    var now = 0.0
    var generator: SplitMix64
  }
  private let state: Mutex<State>
  /// Slowdown of the whole machine as a function of time (1 = none).
  let drift: @Sendable (Double) -> Double
  /// Coefficient of variation of each call's time.
  let noise: Double

  init(
    seed: UInt64, noise: Double = 0.05, drift: @escaping @Sendable (Double) -> Double = { _ in 1 }
  ) {
    state = Mutex(State(generator: SplitMix64(seed: seed)))
    self.noise = noise
    self.drift = drift
  }

  func seconds() -> Double { state.withLock { $0.now } }

  /// Advances the clock by one call of a candidate whose true time is `seconds`.
  func spend(_ seconds: Double) {
    state.withLock { state in
      let z = Double(state.generator.nextGaussian())
      // Log-normal with the given coefficient of variation and median `seconds`.
      let sigma = (1 + noise * noise).squareRoot().logarithm()
      state.now += seconds * (sigma * z).exponential() * drift(state.now)
    }
  }

  /// A candidate that takes `seconds` per call on this clock.
  func candidate(_ name: String, seconds: Double, counter: Counter? = nil) -> Candidate {
    Candidate(
      name: name, refresh: { _ in counter?.refreshes.add(1, ordering: .relaxed) },
      measureMemory: { 1234 },
      run: { [self] in
        counter?.calls.add(1, ordering: .relaxed)
        spend(seconds)
      })
  }
}

/// Counts calls and refreshes of a synthetic candidate.
final class Counter: Sendable {
  let calls = Atomic<Int>(0)
  let refreshes = Atomic<Int>(0)
}

extension Double {
  func logarithm() -> Double { OracleMath.log(self) }
  func exponential() -> Double { OracleMath.exp(self) }
}
