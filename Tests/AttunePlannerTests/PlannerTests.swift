import AttuneKernels
import AttunePlanner
import Dispatch
import Foundation
import Synchronization
import Testing
import _AttuneTestSupport

@Suite struct PlannerTests {
  let shape = AttentionShape.square(tokens: 200, headDim: 16)

  func settings(_ plan: AttentionPlan) -> [String: Int] {
    Dictionary(plan.kernel.settings.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
  }

  @Test func aPlanWithWisdomUsesTheStoredConfigurationWithoutMeasuring() throws {
    let store = try temporaryWisdom()
    try store.record([try fusedEntry(shape)])
    let planner = AttentionPlanner(wisdom: store)
    for level in [PlanningLevel.automatic, .wisdomOnly, .measure(seconds: 30)] {
      let plan = try planner.plan(for: shape, level: level)
      #expect(plan.source == .wisdom)
      #expect(plan.measurements == 0)
      #expect(settings(plan)["blockQ"] == 48 && settings(plan)["blockK"] == 96)
    }
    // And it computes the right thing.
    let problem = Problem(shape: shape, data: .random, seed: 3)
    let plan = try planner.plan(for: shape)
    let output = try plan.execute(q: problem.inputs.q, k: problem.inputs.k, v: problem.inputs.v)
    #expect(maxAbsoluteError(output, problem.oracle()) < 2e-6)
  }

  @Test func estimateIgnoresWisdom() throws {
    let store = try temporaryWisdom()
    try store.record([try fusedEntry(shape)])
    let plan = try AttentionPlanner(wisdom: store).plan(for: shape, level: .estimate)
    #expect(plan.source == .defaults)
    #expect(plan.kernel.settings == AttentionPlanner.defaultKernel().settings)
  }

  @Test(arguments: ["machine", "version", "build"])
  func wisdomFromAnotherMachineVersionOrBuildIsIgnored(_ part: String) throws {
    let store = try temporaryWisdom()
    let other = WisdomContext.current().changing { context in
      switch part {
      case "machine": context.machine.cpuModel += " (another)"
      case "version": context.attuneVersion = "0.0.1"
      default: context.build = "debug no-fma x86_64"
      }
    }
    try store.record([try fusedEntry(shape, context: other)])
    let plan = try AttentionPlanner(wisdom: store).plan(for: shape)
    #expect(plan.source == .defaults)
    #expect(plan.kernel.settings == AttentionPlanner.defaultKernel().settings)
    #expect(throws: PlanningError.self) {
      try AttentionPlanner(wisdom: store).plan(for: shape, level: .wisdomOnly)
    }
  }

  @Test func anEntryServesItsShapeClassOnly() throws {
    let store = try temporaryWisdom()
    let tuned = AttentionShape.square(tokens: 2048, headDim: 64)
    try store.record([try fusedEntry(tuned)])
    let planner = AttentionPlanner(wisdom: store)
    for (queries, keys, d, applies) in [
      (2048, 2048, 64, true), (1025, 1500, 64, true), (2049, 2048, 64, false),
      (1024, 2048, 64, false), (2048, 2048, 128, false),
    ] {
      let shape = AttentionShape(queries: queries, keys: keys, headDim: d)
      let plan = try planner.plan(for: shape)
      #expect((plan.source == .wisdom) == applies, "\(shape)")
    }
  }

  @Test func theNewestEntryOfAClassWins() throws {
    let store = try temporaryWisdom()
    try store.record([try fusedEntry(shape, blockQ: 48, date: "2026-01-01T00:00:00Z")])
    try store.record([try fusedEntry(shape, blockQ: 80, date: "2026-02-01T00:00:00Z")])
    #expect(store.load().entries.count == 1)  // same key: replaced
    #expect(settings(try AttentionPlanner(wisdom: store).plan(for: shape))["blockQ"] == 80)
  }

  @Test func aMeasuringPlanTunesSavesAndIsReused() throws {
    let store = try temporaryWisdom()
    let small = AttentionShape.square(tokens: 64, headDim: 8)
    let planner = AttentionPlanner(wisdom: store)
    let measured = try planner.plan(for: small, level: .measure(seconds: 2))
    #expect(measured.source == .measured)
    #expect(measured.measurements > 0)
    let entry = try #require(store.load().entries.first)
    #expect(entry.settings == measured.kernel.settings)
    #expect(entry.strategy == "race" && !entry.times.isEmpty)
    let again = try planner.plan(for: small)
    #expect(again.source == .wisdom && again.measurements == 0)
    #expect(again.kernel.settings == measured.kernel.settings)
  }

  @Test func wisdomOnlyWithoutWisdomFails() throws {
    #expect(throws: PlanningError.self) {
      try AttentionPlanner(wisdom: try temporaryWisdom()).plan(for: shape, level: .wisdomOnly)
    }
    #expect(throws: PlanningError.invalidBudget(0)) {
      try AttentionPlanner(wisdom: nil).plan(for: shape, level: .measure(seconds: 0))
    }
    #expect(throws: PlanningError.self) {
      try AttentionPlanner(wisdom: nil).plan(for: AttentionShape(queries: 0, keys: 1, headDim: 1))
    }
  }
}

/// Many threads planning and executing at once on one shared wisdom file, some of them writing
/// it: every plan runs correctly and the file stays valid.
@Suite struct PlannerConcurrencyTests {
  @Test("16 threads × 8 iterations plan, execute and record wisdom concurrently")
  func concurrentPlanning() throws {
    let store = try temporaryWisdom()
    let shapes = (0..<4).map { AttentionShape.square(tokens: 40 + 30 * $0, headDim: 8 << ($0 % 2)) }
    let problems = shapes.map { Problem(shape: $0, data: .random, seed: UInt64($0.queries)) }
    let oracles = problems.map { $0.oracle() }
    let failures = Mutex<[String]>([])
    let threads = 16
    let iterations = 8
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      let planner = AttentionPlanner(wisdom: store)
      for iteration in 0..<iterations {
        let index = (thread + iteration) % problems.count
        let problem = problems[index]
        do {
          if thread % 4 == 0 {  // a quarter of the threads write wisdom as they go
            try store.record([try fusedEntry(problem.inputs.shape, blockQ: 16 + iteration)])
          }
          let plan = try planner.plan(for: problem.inputs.shape)
          let got = try plan.execute(
            q: problem.inputs.q, k: problem.inputs.k, v: problem.inputs.v)
          let error = maxAbsoluteError(got, oracles[index])
          if error > 2e-6 * problem.maxAbsValue {
            failures.withLock { $0.append("\(plan.kernel.configurationDescription): \(error)") }
          }
          if !plan.warnings.isEmpty {
            failures.withLock { $0.append("warnings: \(plan.warnings)") }
          }
        } catch {
          failures.withLock { $0.append("\(error)") }
        }
      }
    }
    #expect(failures.withLock { $0 } == [])
    let (entries, warnings) = store.load()
    #expect(warnings.isEmpty && entries.count == problems.count)
  }
}
