import AttuneBench
import AttuneKernels
import Foundation
import Testing

/// `Comparison` end to end on tiny shapes with the real clock: what is measured and recorded,
/// never how fast.
struct ComparisonTests {
  func smallComparison() throws -> Comparison {
    var comparison = Comparison(
      shapes: [.square(tokens: 24, headDim: 8), AttentionShape(queries: 9, keys: 30, headDim: 4)],
      blockSizes: [4, 16],
      plan: MeasurementPlan(rounds: 3, minimumSampleSeconds: 0, seed: 5))
    try comparison.add(builtIn: "naive")
    try comparison.add(builtIn: "blocked")
    try comparison.add(builtIn: "fused", parameters: ["threads": 1])
    return comparison
  }

  @Test("kernels without a block size appear once per shape, the others once per block size ≤ Nq")
  func grid() throws {
    let report = try smallComparison().run()
    let labels = report.entries.map { "\($0.label) \($0.shape.queries)" }
    let blockK = FusedAttention.parameters[1].defaultValue  // the grid varies blockQ only
    #expect(
      labels == [
        "naive 24", "blocked(blockSize=4) 24", "blocked(blockSize=16) 24",
        "fused(blockQ=4, blockK=\(blockK), threads=1) 24",
        "fused(blockQ=16, blockK=\(blockK), threads=1) 24",
        "naive 9", "blocked(blockSize=4) 9", "fused(blockQ=4, blockK=\(blockK), threads=1) 9",
      ])
    #expect(report.samples.count == report.entries.count * 3)
    #expect(report.statistics.count == report.entries.count)
    for (entry, stats) in zip(report.entries, report.statistics) {
      #expect(stats.count == 3)
      #expect(stats.baseline == "naive")
      #expect(stats.medianInterval.lower <= stats.medianSeconds)
      #expect(entry.measuredMemoryBytes.map { $0 <= entry.declaredScratchBytes } == true)
    }
    let naive = try #require(report.statistics.first)
    #expect(naive.speedup == 1)
  }

  @Test("a user's own function is measured next to the built-in kernels")
  func customKernel() throws {
    var comparison = try smallComparison()
    let naive = NaiveAttention()
    comparison.add(
      CustomAttention(name: "mine") { problem, output in naive.compute(problem, into: output) })
    let report = try comparison.run()
    let mine = report.entries.filter { $0.kernel == "mine" }
    #expect(mine.count == 2)
    #expect(mine.allSatisfy { $0.memorySource == "peakRSSGrowth" && $0.blockSize == nil })
    #expect(report.table().contains("mine"))
  }

  @Test("a function that does not compute attention is refused before it is timed")
  func wrongKernel() throws {
    var comparison = try smallComparison()
    comparison.add(CustomAttention(name: "empty") { _, _ in })  // "a million times faster"
    #expect {
      try comparison.run()
    } throws: { error in
      guard case .wrongOutput(let kernel, _, _, _, _) = error as? ComparisonError else {
        return false
      }
      return kernel.contains("empty")
    }
    // Off by 1 % is refused too; a correct one passes (customKernel above).
    var scaled = try smallComparison()
    let naive = NaiveAttention()
    scaled.add(
      CustomAttention(name: "off") { problem, output in
        naive.compute(problem, into: output)
        for index in output.indices { output[index] *= 1.01 }
      })
    #expect(throws: ComparisonError.self) { try scaled.run() }
  }

  @Test("the JSON decodes back to the same report; another schema version is refused")
  func roundTrip() throws {
    let report = try smallComparison().run()
    let data = try report.json()
    #expect(try ComparisonReport.decode(data) == report)
    var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    object["schemaVersion"] = 99
    let future = try JSONSerialization.data(withJSONObject: object)
    #expect(throws: ComparisonFormatError.self) { try ComparisonReport.decode(future) }
    #expect(throws: DecodingError.self) { try ComparisonReport.decode(Data("{}".utf8)) }
  }

  @Test("the CSV has a header and one row per raw sample, each with the machine")
  func csv() throws {
    let report = try smallComparison().run()
    let lines = report.csv().split(separator: "\n")
    #expect(lines.count == report.samples.count + 1)
    #expect(lines[0].hasPrefix("label,kernel,settings,block_size,nq,nk,dk,dv"))
    #expect(lines.dropFirst().allSatisfy { $0.contains(report.machine.swiftVersion) })
  }

  @Test("a repeated kernel gets a distinct label, and the A/A pair is compared")
  func repeatedKernel() throws {
    var comparison = Comparison(
      shapes: [.square(tokens: 16, headDim: 8)], baselineKernel: "fused",
      plan: MeasurementPlan(rounds: 2, minimumSampleSeconds: 0))
    try comparison.add(builtIn: "fused", parameters: ["threads": 1])
    try comparison.add(builtIn: "fused", parameters: ["threads": 1])
    let report = try comparison.run()
    let label =
      "fused(blockQ=\(FusedAttention().blockQ), blockK=\(FusedAttention().blockK), threads=1)"
    #expect(report.entries.map(\.label) == [label, label + "#2"])
    #expect(report.statistics[1].baseline == report.entries[0].label)
  }

  @Test("bad kernels and parameters are refused when added, before anything runs")
  func refusals() {
    var comparison = Comparison(shapes: [.square(tokens: 8, headDim: 8)])
    #expect(throws: AttentionError.self) { try comparison.add(builtIn: "flash") }
    #expect(throws: AttentionError.self) {
      try comparison.add(builtIn: "fused", parameters: ["threads": 0])
    }
    #expect(throws: AttentionError.self) {
      try comparison.add(builtIn: "naive", parameters: ["threads": 2])
    }
  }

  @Test("the machine description names the CPU, its features and the build")
  func machine() {
    let machine = MachineDescription.current()
    #expect(!machine.cpuModel.isEmpty && machine.logicalProcessors >= 1)
    #expect(machine.buildConfiguration == "release" || machine.buildConfiguration == "debug")
    #if arch(x86_64) && os(Linux)
      #expect(machine.isaFeatures.contains("sse4_2"))
    #endif
    #expect(machine.date.hasSuffix("Z"))
  }
}
