import AttuneBench
import AttuneTuner
import Foundation

/// Everything a report shows: the manifest and the result of each study, as saved beside the
/// page (`report.json`, `compare.json`, `tune.json`, `duel.json`, `simulate.json`).
package struct ReportData: Sendable, Hashable {
  /// How the data was made.
  package var manifest: ReportManifest
  /// Kernels compared.
  package var comparison: ComparisonReport
  /// One tuning run per strategy.
  package var tuning: [TuningRecord]
  /// The strategies over several random matrices.
  package var duel: DuelReport
  /// The strategies on simulated candidates.
  package var simulation: SimulationReport
  /// NumPy, PyTorch and onnxruntime against Attune on this machine (`peers.json`), when given.
  package var peers: PeerComparison?

  /// Bundles results; call `validate()` before rendering data that came from elsewhere.
  package init(
    manifest: ReportManifest, comparison: ComparisonReport, tuning: [TuningRecord],
    duel: DuelReport, simulation: SimulationReport
  ) {
    self.manifest = manifest
    self.comparison = comparison
    self.tuning = tuning
    self.duel = duel
    self.simulation = simulation
  }

  // MARK: - Files

  /// The data files, by name, in the order they are written (JSON, then CSV for spreadsheets).
  package func files() throws -> [(name: String, contents: Data)] {
    var files = [("report.json", try Self.encoder.encode(manifest))]
    for stage in [
      StudyStage.compared(comparison), .tuned(tuning), .duelled(duel), .simulated(simulation),
    ] {
      files += try Self.files(for: stage)
    }
    if let peers { files.append(("peers.json", try Self.encoder.encode(peers))) }
    return files
  }

  /// The files of one finished stage of a study (its JSON and CSV), so a study can save each
  /// stage as it ends and an interrupted one keeps what it measured.
  package static func files(for stage: StudyStage) throws -> [(name: String, contents: Data)] {
    switch stage {
    case .compared(let comparison):
      return [
        ("compare.json", try comparison.json()), ("compare.csv", Data(comparison.csv().utf8)),
      ]
    case .tuned(let tuning):
      return [
        ("tune.json", try encoder.encode(tuning)), ("tune.csv", Data(tuningCSV(tuning).utf8)),
      ]
    case .duelled(let duel):
      return [("duel.json", try encoder.encode(duel)), ("duel.csv", Data(duelCSV(duel).utf8))]
    case .simulated(let simulation):
      return [
        ("simulate.json", try encoder.encode(simulation)),
        ("simulate.csv", Data(simulationCSV(simulation).utf8)),
      ]
    }
  }

  private static var encoder: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return encoder
  }

  /// Reads and validates the data saved in `directory`.
  ///
  /// - Throws: `ReportError` naming the file at fault: missing, unreadable, malformed, of another
  ///   format version, or inconsistent.
  package static func load(from directory: String) throws(ReportError) -> ReportData {
    func read(_ name: String) throws(ReportError) -> (path: String, data: Data) {
      let path = (directory as NSString).appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw .missingFile(path)
      }
      guard !isDirectory.boolValue else { throw .unreadable(path, reason: "it is a directory") }
      guard let data = FileManager.default.contents(atPath: path) else {
        throw .unreadable(path, reason: "permission denied or an I/O error")
      }
      return (path, data)
    }
    func decode<T: Decodable>(_ type: T.Type, _ file: (path: String, data: Data))
      throws(ReportError) -> T
    {
      do { return try JSONDecoder().decode(type, from: file.data) } catch {
        throw .malformed(file.path, reason: Self.explain(error))
      }
    }
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
      throw .missingFile(directory)
    }
    guard isDirectory.boolValue else {
      throw .unreadable(directory, reason: "it is not a directory of report data")
    }

    let manifestFile = try read("report.json")
    struct Version: Decodable { let schemaVersion: Int }
    let version = try decode(Version.self, manifestFile).schemaVersion
    guard version == ReportManifest.currentSchemaVersion else {
      throw .unsupportedVersion(
        manifestFile.path, found: version, expected: ReportManifest.currentSchemaVersion)
    }
    let manifest = try decode(ReportManifest.self, manifestFile)
    let compareFile = try read("compare.json")
    let comparison: ComparisonReport
    do { comparison = try ComparisonReport.decode(compareFile.data) } catch let error
      as ComparisonFormatError
    {
      throw .unsupportedVersion(compareFile.path, found: error.found, expected: error.expected)
    } catch { throw .malformed(compareFile.path, reason: Self.explain(error)) }
    let data = ReportData(
      manifest: manifest, comparison: comparison,
      tuning: try decode([TuningRecord].self, try read("tune.json")),
      duel: try decode(DuelReport.self, try read("duel.json")),
      simulation: try decode(SimulationReport.self, try read("simulate.json")))
    var withPeers = data
    let peersPath = (directory as NSString).appendingPathComponent("peers.json")
    if FileManager.default.fileExists(atPath: peersPath) {
      withPeers.peers = try PeerComparison.load(path: peersPath)
    }
    try withPeers.validate(directory: directory)
    return withPeers
  }

  /// A decoding error in a sentence: what is wrong and where.
  static func explain(_ error: any Error) -> String {
    func path(_ context: DecodingError.Context) -> String {
      let keys = context.codingPath.map { key in
        key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)"
      }.joined()
      return keys.isEmpty
        ? "at the top level" : "at \(keys.hasPrefix(".") ? String(keys.dropFirst()) : keys)"
    }
    guard let error = error as? DecodingError else { return "\(error)" }
    switch error {
    case .keyNotFound(let key, let context):
      return "missing key '\(key.stringValue)' \(path(context))"
    case .typeMismatch(let type, let context):
      return "expected \(type) \(path(context))"
    case .valueNotFound(let type, let context):
      return "missing \(type) value \(path(context))"
    case .dataCorrupted(let context):
      let underlying = context.underlyingError.map { " (\($0.localizedDescription))" } ?? ""
      return "\(context.debugDescription)\(underlying) \(path(context))"
    @unknown default:
      return "\(error)"
    }
  }

  /// Checks that every index points somewhere and every study has something to draw.
  ///
  /// - Throws: `ReportError.inconsistent` naming the file and the problem.
  package func validate(directory: String = ".") throws(ReportError) {
    func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
    let entries = comparison.entries.count
    guard entries > 0 else { throw .inconsistent(file("compare.json"), reason: "no entries") }
    guard comparison.statistics.count == entries else {
      throw .inconsistent(
        file("compare.json"),
        reason: "\(comparison.statistics.count) statistics for \(entries) entries")
    }
    if let sample = comparison.samples.first(where: { !(0..<entries).contains($0.candidate) }) {
      throw .inconsistent(
        file("compare.json"), reason: "a sample names entry \(sample.candidate) of \(entries)")
    }
    guard !tuning.isEmpty else { throw .inconsistent(file("tune.json"), reason: "no tuning runs") }
    for record in tuning {
      try Self.check(record.outcome, candidates: record.candidates.count, file: file("tune.json"))
    }
    guard !duel.trials.isEmpty else { throw .inconsistent(file("duel.json"), reason: "no trials") }
    for trial in duel.trials {
      for outcome in trial.outcomes {
        try Self.check(outcome, candidates: duel.candidates.count, file: file("duel.json"))
      }
    }
    guard !simulation.summaries.isEmpty else {
      throw .inconsistent(file("simulate.json"), reason: "no summaries")
    }
    if simulation.summaries.contains(where: { $0.trials < 1 || $0.correct > $0.trials }) {
      throw .inconsistent(file("simulate.json"), reason: "a summary has impossible counts")
    }
  }

  private static func check(_ outcome: TuningOutcome, candidates: Int, file: String)
    throws(ReportError)
  {
    if let choice = outcome.choice, !(0..<candidates).contains(choice) {
      throw .inconsistent(
        file, reason: "\(outcome.strategy) chose candidate \(choice) of \(candidates)")
    }
    if let entry = outcome.trace.first(where: { !(0..<candidates).contains($0.candidate) }) {
      throw .inconsistent(
        file, reason: "\(outcome.strategy) measured candidate \(entry.candidate) of \(candidates)"
      )
    }
    guard outcome.rounds >= 0, outcome.rounds <= 1_000_000 else {
      throw .inconsistent(file, reason: "\(outcome.strategy) ran \(outcome.rounds) rounds")
    }
  }
}
