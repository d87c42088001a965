import Foundation
import Testing

/// Compares `text` with `Snapshots/<name>`; with `ATTUNE_RECORD_SNAPSHOTS=1` in the environment,
/// writes it instead (then review the diff and commit it).
func assertSnapshot(
  _ text: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Snapshots")
  let file = directory.appendingPathComponent(name)
  if ProcessInfo.processInfo.environment["ATTUNE_RECORD_SNAPSHOTS"] == "1" {
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    #expect(
      FileManager.default.createFile(atPath: file.path, contents: Data(text.utf8)),
      "could not record \(name)", sourceLocation: sourceLocation)
    return
  }
  guard let data = FileManager.default.contents(atPath: file.path) else {
    Issue.record(
      "no snapshot \(name); record with ATTUNE_RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
    return
  }
  let expected = String(decoding: data, as: UTF8.self)
  if expected != text {
    let got = text.split(separator: "\n", omittingEmptySubsequences: false)
    let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let line =
      zip(got, want).enumerated().first { $1.0 != $1.1 }?.offset ?? min(got.count, want.count)
    let gotLine = line < got.count ? String(got[line]) : "(end)"
    let wantLine = line < want.count ? String(want[line]) : "(end)"
    Issue.record(
      "\(name) differs from its snapshot at line \(line + 1):\n  got:  \(gotLine.prefix(200))\n  want: \(wantLine.prefix(200))\nre-record with ATTUNE_RECORD_SNAPSHOTS=1 if the change is intended",
      sourceLocation: sourceLocation)
  }
}

/// The directory of the tiny study saved as a fixture (`attune report --test-tiny`).
let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Fixtures/tiny").path
