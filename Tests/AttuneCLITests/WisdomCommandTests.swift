import Foundation
import Synchronization
import Testing

/// `attune tune --save`, `attune plan` and `attune wisdom` end to end, each test on its own
/// wisdom file (`--wisdom`).
@Suite(.serialized)
struct WisdomCommandTests {
  func wisdomFile() throws -> String {
    try AttuneProcess.temporaryDirectory().appendingPathComponent("wisdom.json").path
  }

  @Test("tune --save writes wisdom that plan then uses without measuring")
  func tuneSaveThenPlan() throws {
    let wisdom = try wisdomFile()
    let tune = try AttuneProcess.run([
      "tune", "--kernel", "fused", "--n", "100", "--d", "8", "--candidates", "16,32",
      "--budget-measurements", "30", "--save", "--wisdom", wisdom, "--quiet",
    ])
    #expect(tune.status == 0, "\(tune.stderr)")
    #expect(tune.stdout.contains("saved   fused(blockQ="))
    let plan = try AttuneProcess.run([
      "plan", "--n", "120", "--d", "8", "--wisdom", wisdom, "--json",
    ])
    #expect(plan.status == 0, "\(plan.stderr)")
    let record = try #require(
      try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
    #expect(record["source"] as? String == "wisdom")
    #expect(record["measurements"] as? Int == 0)
    let show = try AttuneProcess.run(["wisdom", "show", "--wisdom", wisdom])
    #expect(show.stdout.contains("applies"))
  }

  @Test("several processes importing at once leave a valid file holding every entry")
  func concurrentProcesses() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let wisdom = directory.appendingPathComponent("wisdom.json").path
    // One source file per process, each with entries for different head dimensions.
    let processes = 6
    for index in 0..<processes {
      let source = directory.appendingPathComponent("source-\(index).json").path
      for size in 0..<3 {
        let result = try AttuneProcess.run([
          "tune", "--kernel", "fused", "--n", "16", "--d", "\(1 + index * 3 + size)",
          "--candidates", "4", "--budget-measurements", "4", "--save", "--wisdom", source,
          "--quiet",
        ])
        try #require(result.status == 0, "\(result.stderr)")
      }
    }
    let group = DispatchGroup()
    let statuses = Mutex<[Int32]>([])
    for index in 0..<processes {
      DispatchQueue.global().async(group: group) {
        let source = directory.appendingPathComponent("source-\(index).json").path
        let status =
          (try? AttuneProcess.run(["wisdom", "import", source, "--wisdom", wisdom]))?.status ?? -1
        statuses.withLock { $0.append(status) }
      }
    }
    group.wait()
    #expect(statuses.withLock { $0 } == [Int32](repeating: 0, count: processes))
    let data = try Data(contentsOf: URL(fileURLWithPath: wisdom))
    let file = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    #expect((file["entries"] as? [Any])?.count == processes * 3)
  }

  @Test("a measure budget too short for a few calls starts none, and saves nothing")
  func budgetTooShort() throws {
    let wisdom = try wisdomFile()
    let result = try AttuneProcess.run([
      "plan", "--n", "16384", "--d", "64", "--level", "measure", "--budget-seconds", "0.05",
      "--wisdom", wisdom,
    ])
    #expect(result.status == 0)
    #expect(result.stdout.contains("0 measurements") && result.stdout.contains("nothing measured"))
    #expect(!FileManager.default.fileExists(atPath: wisdom))
  }

  @Test("a corrupt wisdom file gives a warning and the defaults, and is set aside")
  func corruptFile() throws {
    let wisdom = try wisdomFile()
    try Data("{\"format\": \"attune-wisdom\", \"vers".utf8).write(
      to: URL(fileURLWithPath: wisdom))
    let result = try AttuneProcess.run(["plan", "--n", "64", "--d", "8", "--wisdom", wisdom])
    #expect(result.status == 0)
    #expect(result.stdout.contains("defaults"))
    #expect(
      result.stderr.hasPrefix("warning: wisdom file") && result.stderr.contains("moved aside"))
    #expect(!FileManager.default.fileExists(atPath: wisdom))
  }

  @Test("import refuses entries from another machine and says why; --force takes them")
  func importRefusal() throws {
    let source = try wisdomFile()
    let saved = try AttuneProcess.run([
      "tune", "--kernel", "fused", "--n", "64", "--d", "8", "--candidates", "16",
      "--budget-measurements", "4", "--save", "--wisdom", source, "--quiet",
    ])
    try #require(saved.status == 0, "\(saved.stderr)")
    let text = try String(contentsOfFile: source, encoding: .utf8)
    let foreign = text.replacingOccurrences(
      of: "\"logicalProcessors\" : ", with: "\"logicalProcessors\" : 1")
    try #require(foreign != text)
    try Data(foreign.utf8).write(to: URL(fileURLWithPath: source))
    let target = try wisdomFile()
    let refused = try AttuneProcess.run(["wisdom", "import", source, "--wisdom", target])
    #expect(refused.status == 1)
    #expect(refused.stderr.contains("refused: ") && refused.stderr.contains("another machine"))
    let forced = try AttuneProcess.run([
      "wisdom", "import", source, "--wisdom", target, "--force",
    ])
    #expect(forced.status == 0, "\(forced.stderr)")
    #expect(forced.stdout.contains("imported 1 entries"))
    let cleared = try AttuneProcess.run(["wisdom", "clear", "--wisdom", target])
    #expect(cleared.stdout.contains("removed 1 entries"))
  }
}
