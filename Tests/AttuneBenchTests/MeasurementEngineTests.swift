import AttuneBench
import AttuneStats
import Testing

/// The engine's procedure, on a synthetic clock.
struct MeasurementEngineTests {
  @Test("every round samples every candidate once, in a shuffled order that replays from the seed")
  func interleaving() {
    let clock = SyntheticClock(seed: 1)
    let candidates = (0..<5).map { clock.candidate("c\($0)", seconds: 0.01) }
    let plan = MeasurementPlan(rounds: 12, minimumSampleSeconds: 0, seed: 42)
    let measurement = MeasurementEngine(clock: clock).measure(candidates, plan: plan)
    #expect(measurement.samples.count == 60)
    var orders: Set<[Int]> = []
    for round in 0..<12 {
      let inRound = measurement.samples.filter { $0.round == round }.sorted {
        $0.position < $1.position
      }
      #expect(Set(inRound.map(\.candidate)) == Set(0..<5))
      #expect(inRound.map(\.position) == Array(0..<5))
      orders.insert(inRound.map(\.candidate))
    }
    #expect(orders.count > 6, "orders are shuffled between rounds")
    let again = MeasurementEngine(clock: SyntheticClock(seed: 1)).measure(
      (0..<5).map { SyntheticClock(seed: 1).candidate("c\($0)", seconds: 0.01) }, plan: plan)
    #expect(again.samples.map(\.candidate) == measurement.samples.map(\.candidate))
    var other = plan
    other.seed = 43
    let different = MeasurementEngine(clock: clock).measure(candidates, plan: other)
    #expect(different.samples.map(\.candidate) != measurement.samples.map(\.candidate))
  }

  @Test("calibration repeats a fast call until a sample lasts the minimum; seconds are per call")
  func calibration() {
    let clock = SyntheticClock(seed: 2, noise: 0)
    let counter = Counter()
    let fast = clock.candidate("fast", seconds: 1e-6, counter: counter)
    let slow = clock.candidate("slow", seconds: 0.02)
    let plan = MeasurementPlan(rounds: 3, warmupCalls: 2, minimumSampleSeconds: 1e-3)
    let measurement = MeasurementEngine(clock: clock).measure([fast, slow], plan: plan)
    #expect(measurement.iterations == [1000, 1])
    for sample in measurement.samples where sample.candidate == 0 {
      #expect(abs(sample.seconds - 1e-6) < 1e-12)
      #expect(sample.iterations == 1000)
    }
    // 2 warm-up calls, 10 + 100 + 1000 calibration calls, then 3 samples of 1000.
    #expect(counter.calls.load(ordering: .relaxed) == 2 + 1110 + 3000)
    #expect(measurement.memoryBytes == [1234, 1234])
  }

  @Test("fresh inputs refresh before every sample, and only when asked")
  func freshInputs() {
    let clock = SyntheticClock(seed: 3)
    let counter = Counter()
    var plan = MeasurementPlan(rounds: 7, minimumSampleSeconds: 0)
    _ = MeasurementEngine(clock: clock).measure(
      [clock.candidate("a", seconds: 0.01, counter: counter)], plan: plan)
    #expect(counter.refreshes.load(ordering: .relaxed) == 0)
    plan.freshInputs = true
    _ = MeasurementEngine(clock: clock).measure(
      [clock.candidate("a", seconds: 0.01, counter: counter)], plan: plan)
    #expect(counter.refreshes.load(ordering: .relaxed) == 7)
  }

  @Test("progress counts up to the total and estimates the time left")
  func progress() {
    let clock = SyntheticClock(seed: 4)
    var seen: [MeasurementProgress] = []
    _ = MeasurementEngine(clock: clock).measure(
      [clock.candidate("a", seconds: 0.01), clock.candidate("b", seconds: 0.02)],
      plan: MeasurementPlan(rounds: 4, minimumSampleSeconds: 0)
    ) { seen.append($0) }
    #expect(seen.map(\.completed) == Array(1...10))
    #expect(seen.allSatisfy { $0.total == 10 })
    #expect(seen.last?.remainingSeconds == 0)
  }
}
