import Foundation
import Testing

/// `attune tune`, `duel` and `simulate` end to end, on inputs small enough to finish at once.
@Suite(.serialized)
struct TuningCommandTests {
  func json(_ arguments: [String]) throws -> [String: Any] {
    let result = try AttuneProcess.run(arguments)
    #expect(result.status == 0, "\(result.stderr)")
    return try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
  }

  @Test("tune prints the choice, the claim and the cost; --json has the whole trace")
  func tune() throws {
    let arguments = [
      "tune", "--kernel", "simd", "--n", "64", "--d", "16", "--candidates", "8,16,32",
    ]
    let text = try AttuneProcess.run(
      arguments + ["--strategy", "grid", "--budget-measurements", "60"])
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.contains("choice  blockSize="))
    #expect(text.stdout.contains("cost    "))
    let record = try json(arguments + ["--json", "-"])
    let outcome = try #require(record["outcome"] as? [String: Any])
    let trace = try #require(outcome["trace"] as? [[String: Any]])
    #expect(trace.count == outcome["measurements"] as? Int)
    #expect(outcome["strategy"] as? String == "race")
    #expect((record["candidates"] as? [String]) == ["blockSize=8", "blockSize=16", "blockSize=32"])
  }

  @Test("duel runs every strategy on each trial's matrices and keeps every trial in its JSON")
  func duel() throws {
    let report = try json([
      "duel", "--trials", "2", "--kernel", "fused", "--n", "48", "--d", "8", "--candidates",
      "16,32",
      "--budget-measurements", "40", "--json", "-",
    ])
    let trials = try #require(report["trials"] as? [[String: Any]])
    #expect(trials.count == 2)
    for trial in trials {
      let outcomes = try #require(trial["outcomes"] as? [[String: Any]])
      #expect(outcomes.compactMap { $0["strategy"] as? String } == ["grid", "adaptive", "race"])
    }
  }

  @Test("simulate prints the table and the acceptance checks; --json has every summary")
  func simulate() throws {
    let arguments = [
      "simulate", "--trials", "30", "--profile", "clear,identical", "--noise", "lognormal",
    ]
    let text = try AttuneProcess.run(arguments)
    #expect(text.status == 0, "\(text.stderr)")
    #expect(text.stdout.contains("claimed best"))
    #expect(text.stdout.contains("PASS") || text.stdout.contains("FAIL"))
    let report = try json(arguments + ["--json", "-"])
    let summaries = try #require(report["summaries"] as? [[String: Any]])
    #expect(summaries.count == 2 * 3)
    // Noise models combine a base and modifiers; profiles include the 16-candidate grid.
    let combined = try json([
      "simulate", "--trials", "4", "--strategy", "race", "--profile", "tiles",
      "--noise", "heavy+hetero+warmup", "--budget-measurements", "400", "--json", "-",
    ])
    let rows = try #require(combined["summaries"] as? [[String: Any]])
    #expect(rows.first?["noise"] as? String == "heavy+hetero+warmup")
    #expect(rows.first?["budgetStopsWithMargin"] as? Int == rows.first?["budgetStops"] as? Int)
  }
}

extension TuningCommandTests {
  @Test("Ctrl-C during tune keeps what was measured in the JSON, saves no wisdom, exits 130")
  func interrupted() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let process = Process()
    process.executableURL = AttuneProcess.executable
    process.currentDirectoryURL = directory
    process.arguments = [
      // Two candidates that are the same configuration (block sizes past N = 64 both give one
      // tile of 64 rows), no indifference margin and an error level of 1e-6: the race stops only
      // on a false claim, which a burst of noise from the tests running beside it made at the
      // default level 0.05 (a Zen 4 CI run in which it stopped, converged, within 1.5 s).
      "tune", "--kernel", "fused", "--n", "64", "--d", "16", "--candidates", "100,200",
      "--epsilon", "0", "--delta", "1e-6", "--budget-measurements", "10000000",
      "--budget-seconds", "20",
      "--json", "t.json",
      "--save", "--wisdom", "w.json",
    ]
    let err = Pipe()
    process.standardError = err
    process.standardOutput = Pipe()
    try process.run()
    Thread.sleep(forTimeInterval: 1.5)
    process.interrupt()  // SIGINT, as Ctrl-C sends
    process.waitUntilExit()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(process.terminationStatus == 130, "\(stderr)")
    #expect(stderr.contains("interrupted: kept the"))
    let data = try Data(contentsOf: directory.appendingPathComponent("t.json"))
    let record = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let outcome = try #require(record["outcome"] as? [String: Any])
    #expect(outcome["stopReason"] as? String == "interrupted")
    #expect((outcome["trace"] as? [Any])?.isEmpty == false)
    #expect(
      !FileManager.default.fileExists(atPath: directory.appendingPathComponent("w.json").path))
  }
}
