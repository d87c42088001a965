import ArgumentParser
import AttuneNPY
import AttuneReport
import Foundation

extension Attune {
  /// `attune report`: measure a compact version of every study and draw it as one HTML page.
  struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Measure kernels and tuners on this machine and write an HTML report with charts.",
      discussion: """
        Runs, on built-in defaults, a comparison of the five kernels over N = 256…2048 and four
        block sizes, one tuning run per strategy (grid, adaptive, race), a duel of the
        strategies over 10 random matrices and the simulator, then writes DIR/index.html (one
        self-contained page: inline SVG charts, no script, works offline) beside the data it was
        drawn from (report.json, compare/tune/duel/simulate .json and .csv). About 2 to 3
        minutes on 2 cores; --quick under a minute. --from DIR draws the page again from saved data
        without measuring.
        """)

    @Option(name: .shortAndLong, help: "Directory to write (default: attune-report, or --from's).")
    var output: String?

    @Flag(help: "A smaller study (about one minute).")
    var quick = false

    @Option(help: "Draw the page from the data saved in this directory; measure nothing.")
    var from: String?

    @Flag(help: "No progress on stderr.")
    var quiet = false

    @Flag(help: ArgumentHelp("Test hook: a study of seconds.", visibility: .hidden))
    var testTiny = false

    func validate() throws {
      if from != nil && (quick || testTiny) {
        throw ValidationError("--quick measures; --from draws saved data without measuring")
      }
      if let output, output.isEmpty { throw ValidationError("--output needs a directory") }
      if let from, from.isEmpty { throw ValidationError("--from needs a directory") }
    }

    func run() throws {
      if let from {
        let data = try ensure { () throws(ReportError) in try ReportData.load(from: from) }
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
      let data: ReportData
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
      try ensure { () throws(ReportError) in try data.validate(directory: directory) }
      let manifest = try data.files().filter { $0.name == "report.json" }
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

    /// Writes the data files, each atomically.
    private func write(_ data: ReportData, to directory: String) throws {
      for file in try data.files() {
        try save(file.contents, to: (directory as NSString).appendingPathComponent(file.name))
      }
    }

    private func save(_ contents: Data, to path: String) throws {
      try ensure { () throws(NPYError) in try FileIO.writeAtomically(Array(contents), to: path) }
    }
  }
}
