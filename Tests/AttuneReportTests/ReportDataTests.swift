import AttuneReport
import Foundation
import Testing

@Suite struct ReportDataTests {
  /// A copy of the fixture in a fresh directory, changed by `edit`.
  func fixture(_ edit: (String) throws -> Void = { _ in }) throws -> String {
    let directory = FileManager.default.temporaryDirectory
      .appendingPathComponent("attune-report-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    for name in ["report.json", "compare.json", "tune.json", "duel.json", "simulate.json"] {
      try FileManager.default.copyItem(
        atPath: "\(fixtureDirectory)/\(name)", toPath: "\(directory)/\(name)")
    }
    try edit(directory)
    return directory
  }

  func write(_ text: String, _ path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
  }

  func replace(_ target: String, with replacement: String, in path: String) throws {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    try #require(text.contains(target), "fixture has no \(target)")
    try write(text.replacingOccurrences(of: target, with: replacement), path)
  }

  func error(_ directory: String) -> ReportError? {
    do {
      _ = try ReportData.load(from: directory)
      return nil
    } catch { return error }
  }

  @Test func savedFilesReadBackUnchanged() throws {
    let data = try ReportData.load(from: fixtureDirectory)
    let directory = try fixture { directory in
      for file in try ReportData.load(from: fixtureDirectory).files() {
        try file.contents.write(to: URL(fileURLWithPath: "\(directory)/\(file.name)"))
      }
    }
    #expect(try ReportData.load(from: directory) == data)
  }

  @Test("peers.json is optional, read when present, and refused when it contradicts itself")
  func peers() throws {
    #expect(try ReportData.load(from: fixture()).peers == nil)
    let peers = try #require(try ReportData.load(from: fixtureDirectory).peers)
    #expect(peers.shapes.map(\.n) == [32, 64] && peers.shapes[0].candidates.count == 4)
    let copy = { (edit: (String) throws -> Void) in
      try self.fixture { directory in
        try FileManager.default.copyItem(
          atPath: "\(fixtureDirectory)/peers.json", toPath: "\(directory)/peers.json")
        try edit("\(directory)/peers.json")
      }
    }
    let noReference = try copy {
      try self.replace("\"reference\": \"attune-fused\"", with: "\"reference\": \"x\"", in: $0)
    }
    guard case .inconsistent(let path, let reason) = error(noReference) else {
      Issue.record("a peers file without its reference was accepted")
      return
    }
    #expect(path.hasSuffix("peers.json") && reason.contains("no reference x"))
    let garbage = try copy { try self.write("[1, 2", $0) }
    guard case .malformed = error(garbage) else {
      Issue.record("garbage peers accepted")
      return
    }
  }

  @Test func aMissingDirectoryOrFileIsNamed() throws {
    #expect(error("/nonexistent/attune") == .missingFile("/nonexistent/attune"))
    let directory = try fixture { try FileManager.default.removeItem(atPath: "\($0)/tune.json") }
    #expect(error(directory) == .missingFile("\(directory)/tune.json"))
  }

  @Test func garbageAndTruncatedFilesAreMalformed() throws {
    let garbage = try fixture { try write("\u{0}\u{1}not json", "\($0)/duel.json") }
    guard case .malformed(let path, _) = error(garbage) else {
      Issue.record("garbage accepted")
      return
    }
    #expect(path.hasSuffix("duel.json"))
    let truncated = try fixture { directory in
      let text = try String(contentsOfFile: "\(directory)/compare.json", encoding: .utf8)
      try write(String(text.prefix(text.count / 2)), "\(directory)/compare.json")
    }
    guard case .malformed(let path, _) = error(truncated) else {
      Issue.record("truncated file accepted")
      return
    }
    #expect(path.hasSuffix("compare.json"))
  }

  @Test func aMissingKeyIsExplained() throws {
    let directory = try fixture {
      try replace("\"trials\"", with: "\"trails\"", in: "\($0)/duel.json")
    }
    #expect(error(directory)?.description.contains("missing key 'trials'") == true)
  }

  @Test func anotherFormatVersionIsRefused() throws {
    let directory = try fixture {
      try replace("\"schemaVersion\" : 1", with: "\"schemaVersion\" : 7", in: "\($0)/report.json")
    }
    #expect(
      error(directory) == .unsupportedVersion("\(directory)/report.json", found: 7, expected: 1))
  }

  @Test func indicesOutOfRangeAreInconsistentNotACrash() throws {
    let directory = try fixture {
      try replace("\"candidate\" : 0", with: "\"candidate\" : 99", in: "\($0)/tune.json")
    }
    guard case .inconsistent(let path, let reason) = error(directory) else {
      Issue.record("an out-of-range candidate was accepted")
      return
    }
    #expect(path.hasSuffix("tune.json") && reason.contains("99"))
  }

  @Test func emptyStudiesAreInconsistent() throws {
    let directory = try fixture { try write("[]", "\($0)/tune.json") }
    #expect(error(directory) == .inconsistent("\(directory)/tune.json", reason: "no tuning runs"))
  }
}
