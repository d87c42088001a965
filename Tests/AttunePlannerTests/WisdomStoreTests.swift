import AttuneKernels
import AttunePlanner
import Dispatch
import Foundation
import Synchronization
import Testing

@Suite struct WisdomStoreTests {
  let shape = AttentionShape.square(tokens: 512, headDim: 32)

  func write(_ text: String, to store: WisdomStore) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: store.path))
  }

  func setAside(_ store: WisdomStore) throws -> [String] {
    let directory = (store.path as NSString).deletingLastPathComponent
    return try FileManager.default.contentsOfDirectory(atPath: directory).filter {
      $0.hasPrefix("wisdom.json.unreadable-")
    }
  }

  @Test(arguments: [
    "", "{\"format\": \"attune-wisdom\", \"version\": 1, \"entries\": [", "\u{0}garbage",
    "{\"format\": \"attune-wisdom\", \"version\": 99, \"entries\": []}",
    "{\"format\": \"something-else\", \"version\": 1}", "[1, 2, 3]",
  ])
  func anUnreadableFileWarnsIsSetAsideAndGivesDefaults(_ contents: String) throws {
    let store = try temporaryWisdom()
    try write(contents, to: store)
    let plan = try AttentionPlanner(wisdom: store).plan(for: shape)
    #expect(plan.source == .defaults)
    #expect(plan.warnings.count == 1)
    #expect(plan.warnings.first?.contains("moved aside") == true)
    #expect(try setAside(store).count == 1)
    // The store works again afterwards.
    try store.record([try fusedEntry(shape)])
    #expect(store.load().entries.count == 1 && store.load().warnings.isEmpty)
  }

  @Test func twoFilesSetAsideInOneSecondKeepBoth() throws {
    let store = try temporaryWisdom()
    for contents in ["first garbage", "second garbage", "third garbage"] {
      try write(contents, to: store)
      #expect(store.load().warnings.first?.contains("moved aside") == true)
    }
    let aside = try setAside(store)
    #expect(aside.count == 3, "every unreadable file is kept: \(aside)")
  }

  @Test(.enabled(if: getuid() != 0, "root reads any file"))
  func aFileThisUserMayNotReadIsLeftAlone() throws {
    let store = try temporaryWisdom()
    try store.record([try fusedEntry(shape)])
    chmod(store.path, 0)
    defer { chmod(store.path, 0o644) }
    let (entries, warnings) = store.load()
    #expect(entries.isEmpty && warnings.first?.contains("left alone") == true)
    #expect(try setAside(store).isEmpty)
    #expect(throws: WisdomError.self) { try store.record([try fusedEntry(shape)]) }
  }

  @Test func aTruncatedValidFileIsNotReadAsFewerEntries() throws {
    let store = try temporaryWisdom()
    try store.record((1...3).map { try fusedEntry(.square(tokens: 64 << $0, headDim: 32)) })
    let text = try String(contentsOfFile: store.path, encoding: .utf8)
    try write(String(text.prefix(text.count - 40)), to: store)
    let (entries, warnings) = store.load()
    #expect(entries.isEmpty && warnings.count == 1)
  }

  @Test func concurrentWritersKeepEveryEntry() throws {
    let store = try temporaryWisdom()
    let writers = 8
    let perWriter = 6
    let failures = Mutex<[String]>([])
    DispatchQueue.concurrentPerform(iterations: writers) { writer in
      for index in 0..<perWriter {
        do {
          let entry = try fusedEntry(.square(tokens: 1 << (writer + 1), headDim: 8 + index))
          try store.record([entry])
        } catch {
          failures.withLock { $0.append("\(error)") }
        }
      }
    }
    #expect(failures.withLock { $0 } == [])
    let (entries, warnings) = store.load()
    #expect(warnings.isEmpty)
    #expect(entries.count == writers * perWriter)
  }

  @Test func importRefusesAnotherMachineUnlessForced() throws {
    let store = try temporaryWisdom()
    let other = WisdomContext.current().changing { $0.machine.logicalProcessors += 64 }
    let source = try temporaryWisdom()
    try source.record([
      try fusedEntry(shape, context: other), try fusedEntry(.square(tokens: 64, headDim: 8)),
    ])
    let data = source.export().data
    let refused = try store.importEntries(from: data, source: "x.json", force: false)
    #expect(refused.imported == 1 && refused.refused.count == 1)
    #expect(refused.refused.first?.contains("another machine") == true)
    let forced = try store.importEntries(from: data, source: "x.json", force: true)
    #expect(forced.imported == 2 && forced.refused.isEmpty)
    #expect(store.load().entries.count == 2)
    #expect(throws: WisdomError.self) {
      try store.importEntries(from: Data("nope".utf8), source: "nope.json", force: true)
    }
  }

  @Test func clearEmptiesTheFile() throws {
    let store = try temporaryWisdom()
    try store.record([try fusedEntry(shape)])
    try store.clear()
    #expect(store.load().entries.isEmpty)
  }

  @Test func theStandardPlaceFollowsTheEnvironment() throws {
    #expect(
      try WisdomStore.standard(environment: ["ATTUNE_WISDOM": "/x/w.json"]).path == "/x/w.json")
    #if os(Linux)
      #expect(
        try WisdomStore.standard(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"]).path
          == "/c/attune/wisdom.json")
      #expect(
        try WisdomStore.standard(environment: ["HOME": "/h"]).path == "/h/.cache/attune/wisdom.json"
      )
    #endif
    #expect(throws: WisdomError.noLocation) { try WisdomStore.standard(environment: [:]) }
  }

  @Test func theFingerprintIsStableAndIgnoresTheDate() {
    let a = MachineFingerprint.current()
    let b = MachineFingerprint.current()
    #expect(a == b && a.id == b.id && a.id.count == 16)
    var other = a
    other.caches.append("L4 1K")
    #expect(other.id != a.id)
    #expect(
      ShapeClass(.square(tokens: 1000, headDim: 64))
        == ShapeClass(.square(tokens: 513, headDim: 64)))
    #expect(ShapeClass(.square(tokens: 1, headDim: 64)).queries == 1)
  }
}

extension WisdomStoreTests {
  @Test func aPathThatIsNotAFileIsLeftAlone() throws {
    // Regression: `attune wisdom show --wisdom /etc` once moved /etc aside as "unreadable".
    let store = try temporaryWisdom()
    try FileManager.default.createDirectory(atPath: store.path, withIntermediateDirectories: true)
    let directory = (store.path as NSString).deletingLastPathComponent
    let (entries, warnings) = store.load()
    #expect(entries.isEmpty)
    #expect(warnings.first?.contains("is not a regular file") == true)
    let plan = try AttentionPlanner(wisdom: store).plan(for: shape)
    #expect(plan.source == .defaults)
    #expect(throws: WisdomError.unwritable(path: store.path, reason: "it is not a regular file")) {
      try store.record([try fusedEntry(shape)])
    }
    var isDirectory: ObjCBool = false
    #expect(FileManager.default.fileExists(atPath: store.path, isDirectory: &isDirectory))
    #expect(isDirectory.boolValue)
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["wisdom.json"])
  }
}
