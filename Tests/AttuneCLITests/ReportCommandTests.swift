import Foundation
import Testing

/// `attune report` end to end, on a study of seconds (the hidden `--test-tiny`).
@Suite(.serialized)
struct ReportCommandTests {
  @Test("report measures, writes the page beside its data, and --from draws the same page")
  func measureThenRedraw() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let first = try AttuneProcess.run(["report", "--test-tiny", "--output", "out"], in: directory)
    #expect(first.status == 0, "\(first.stderr)")
    #expect(first.stdout == "out/index.html\n")
    for stage in ["[1/4] compare", "[2/4] tune", "[3/4] duel", "[4/4] simulate"] {
      #expect(first.stderr.contains(stage), "no progress for \(stage)")
    }
    let written = try FileManager.default.contentsOfDirectory(
      atPath: directory.appendingPathComponent("out").path)
    #expect(
      Set(written) == [
        "index.html", "report.json", "compare.json", "tune.json", "duel.json", "simulate.json",
        "compare.csv", "tune.csv", "duel.csv", "simulate.csv",
      ])
    let again = try AttuneProcess.run(
      ["report", "--from", "out", "--output", "again", "--quiet"], in: directory)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.isEmpty)
    let page = try Data(contentsOf: directory.appendingPathComponent("out/index.html"))
    let redrawn = try Data(contentsOf: directory.appendingPathComponent("again/index.html"))
    #expect(page == redrawn)
    #expect(
      try Data(contentsOf: directory.appendingPathComponent("again/compare.json"))
        == Data(contentsOf: directory.appendingPathComponent("out/compare.json")))
  }

  @Test("--from without --output redraws in place and touches only index.html")
  func redrawInPlace() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let out = directory.appendingPathComponent("out")
    #expect(
      try AttuneProcess.run(["report", "--test-tiny", "-o", "out"], in: directory).status == 0)
    let page = out.appendingPathComponent("index.html")
    let original = try Data(contentsOf: page)
    try FileManager.default.removeItem(at: page)
    let result = try AttuneProcess.run(["report", "--from", "out"], in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try Data(contentsOf: page) == original)
  }

  @Test("--peers FILE adds the peers to a page drawn from saved data, and keeps them beside it")
  func peersFromFile() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("AttuneReportTests/Fixtures/tiny")
    let saved = directory.appendingPathComponent("saved")
    try FileManager.default.copyItem(at: fixture, to: saved)
    try FileManager.default.moveItem(
      at: saved.appendingPathComponent("peers.json"),
      to: directory.appendingPathComponent("peers.json"))
    let result = try AttuneProcess.run(
      ["report", "--from", "saved", "--peers", "peers.json", "-o", "out"], in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    let page = try String(
      contentsOf: directory.appendingPathComponent("out/index.html"), encoding: .utf8)
    #expect(page.contains("<section id=\"peers\">") && page.contains("onnxruntime"))
    #expect(
      FileManager.default.fileExists(
        atPath: directory.appendingPathComponent("out/peers.json").path))
    // Drawn again from the output alone, the peers are still there.
    let again = try AttuneProcess.run(["report", "--from", "out", "-o", "again"], in: directory)
    #expect(again.status == 0, "\(again.stderr)")
    let redrawn = try String(
      contentsOf: directory.appendingPathComponent("again/index.html"), encoding: .utf8)
    #expect(redrawn == page)
    // In place, only the peers are added beside the saved data.
    let compare = saved.appendingPathComponent("compare.json")
    let before = try Data(contentsOf: compare)
    let inPlace = try AttuneProcess.run(
      ["report", "--from", "saved", "--peers", "peers.json"], in: directory)
    #expect(inPlace.status == 0, "\(inPlace.stderr)")
    #expect(FileManager.default.fileExists(atPath: saved.appendingPathComponent("peers.json").path))
    #expect(try Data(contentsOf: compare) == before)
  }
}
