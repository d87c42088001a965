import ArgumentParser
import AttuneFiles
import AttuneNPY
import AttuneReport
import Foundation

extension Attune {
  /// `attune report`: measure a compact version of every study and draw it as one HTML page.
  struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Measure kernels and tuners on this machine and write an HTML report with charts.",
      discussion: """
        Runs, on built-in defaults, a comparison of the five kernels over N = 256…2048 and four \
        block sizes, one tuning run per strategy (grid, adaptive, race), a duel of the \
        strategies over 10 random matrices and the simulator, then writes DIR/index.html (one \
        self-contained page: inline SVG charts, no script, works offline) beside the data it was \
        drawn from (report.json, compare/tune/duel/simulate .json and .csv). About 2 minutes \
        on 2 cores; --quick about 20 seconds. --from DIR draws the page again from saved data \
        without measuring.
        """)

    @Option(name: .shortAndLong, help: "Directory to write (default: attune-report, or --from's).")
    var output: String?

    @Flag(help: "A smaller study (about 20 seconds on 2 cores).")
    var quick = false

    @Option(help: "Draw the page from the data saved in this directory; measure nothing.")
    var from: String?

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @Option(
      help: ArgumentHelp(
        "Add Attune against NumPy, PyTorch and onnxruntime: a JSON file, or 'run'.",
        discussion: """
          FILE is what `python3 scripts/bench/peer_benchmark.py --json FILE` writes; `run` runs that \
          script (N = 512 and 2048, 10 rounds, a few minutes) from the Attune checkout, which \
          needs its environment (`python3 scripts/bench/peer_benchmark.py --setup`, several GB).
          """))
    var peers: String?

    @Flag(help: ArgumentHelp("Test hook: a study of seconds.", visibility: .hidden))
    var testTiny = false

    func validate() throws {
      if from != nil && (quick || testTiny) {
        throw ValidationError("--quick measures; --from draws saved data without measuring")
      }
      if let output, output.isEmpty { throw ValidationError("--output needs a directory") }
      if let from, from.isEmpty { throw ValidationError("--from needs a directory") }
      if let peers, peers.isEmpty { throw ValidationError("--peers needs a file or 'run'") }
    }

    /// The peers the flags ask for, read (or measured) before anything else is.
    private func loadPeers() throws -> PeerComparison? {
      guard let peers else { return nil }
      guard peers == "run" else {
        return try ensure { () throws(ReportError) in try PeerComparison.load(path: peers) }
      }
      return try PeerRun.measure(quiet: quiet)
    }

    func run() throws {
      let peerComparison = try loadPeers()
      if let from {
        var data = try ensure { () throws(ReportError) in try ReportData.load(from: from) }
        if let peerComparison { data.peers = peerComparison }
        if peerComparison != nil && output == nil {
          // Drawn in place: only the peers are new beside the saved data.
          try write(data, to: from, only: ["peers.json"])
        }
        let directory = output ?? from
        if directory != from { try prepare(directory) }
        let page = (directory as NSString).appendingPathComponent("index.html")
        if directory != from { try write(data, to: directory) }
        try save(Data(HTMLReport(data: data).html().utf8), to: page)
        print(page)
        return
      }
      let directory = output ?? "attune-report"
      try prepare(directory)
      // A page and manifest from an earlier run must not sit beside data they do not describe.
      // (Regular files only: anything else by those names is left alone.)
      for name in ["index.html", "report.json"] {
        let path = (directory as NSString).appendingPathComponent(name)
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { unlink(path) }
      }
      let plan: StudyPlan = testTiny ? .tiny : quick ? .quick : .standard
      var progress = StudyProgressView(quiet: quiet)
      var data: ReportData
      do {
        // Each stage's data is written as soon as it ends: an interrupted report keeps the
        // stages it finished (`--from` then names the first missing file).
        data = try Study.run(
          plan, progress: { progress.update($0) },
          finished: { stage in
            for file in try ReportData.files(for: stage) {
              try save(file.contents, to: (directory as NSString).appendingPathComponent(file.name))
            }
          })
      } catch let error as CustomStringConvertible {
        progress.finish()
        throw CommandError(error.description)
      }
      progress.finish()
      data.peers = peerComparison
      try ensure { () throws(ReportError) in try data.validate(directory: directory) }
      let manifest = try data.files().filter { ["report.json", "peers.json"].contains($0.name) }
      for file in manifest {
        try save(file.contents, to: (directory as NSString).appendingPathComponent(file.name))
      }
      let page = (directory as NSString).appendingPathComponent("index.html")
      try save(Data(HTMLReport(data: data).html().utf8), to: page)
      print(page)
    }

    /// Creates `directory` if needed and checks that files can be written in it, before any
    /// measuring.
    private func prepare(_ directory: String) throws {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else {
          throw CommandError("cannot write the report to \(directory): it is not a directory")
        }
      } else {
        do {
          try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        } catch {
          throw CommandError("cannot create \(directory): \(error.localizedDescription)")
        }
      }
      try OutputFile.check((directory as NSString).appendingPathComponent("index.html"))
    }

    /// Writes the data files (those named in `only`, when given), each atomically.
    private func write(_ data: ReportData, to directory: String, only: Set<String>? = nil) throws {
      for file in try data.files() where only?.contains(file.name) ?? true {
        try save(file.contents, to: (directory as NSString).appendingPathComponent(file.name))
      }
    }

    private func save(_ contents: Data, to path: String) throws {
      try ensure { () throws(FileError) in try FileIO.writeAtomically(Array(contents), to: path) }
    }
  }
}
