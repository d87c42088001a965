import ArgumentParser
import AttuneBench
import AttuneKernels
import AttuneNPY
import AttuneStats
import Foundation

extension Attune {
  /// `attune compare`: the report's benchmark, kernels × sizes × block sizes × repetitions.
  struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Benchmark kernels over matrix sizes and block sizes, interleaved, with statistics.",
      discussion: """
        Every (kernel, size, block size) is measured --repetitions times on random inputs. Each \
        round measures every entry once in a freshly shuffled order, so drift of the machine falls \
        on all entries alike; speedups are medians of per-round ratios against the baseline, with \
        distribution-free 95 % intervals. A kernel without a block size is measured once per size. \
        For fused, the block size sets --block-q (query rows per tile).

        Prints a table and, per size, a one-line answer: the fastest configuration and its speedup \
        over the baseline kernel with its interval. Intervals are labelled with the level they \
        reach (95 %, or their own below 6 repetitions). --json and --csv write every raw sample \
        with the machine's description, --markdown the table and the answers (use - for stdout). A progress bar with ETA goes to stderr when it is a terminal. \
        The defaults take about two minutes on 2 cores.
        """)

    @Option(help: "Kernels to compare, comma-separated (see `attune kernels`).")
    var kernels = "naive,blocked,parallel,simd,fused"

    @Option(help: "Matrix sizes N (Nq = Nk = N), comma-separated.")
    var sizes = "256,512,1024,2048,4096"

    @Option(help: "Head dimensions d (dk = dv = d), comma-separated.")
    var dims = "64"

    @Option(help: "Block sizes for kernels that take one, comma-separated.")
    var blockSizes = "32,64,128,256"

    @Option(help: "Keys per tile for fused (default: its own).")
    var blockK: Int?

    @Option(help: "Worker threads for the multithreaded kernels (default: active processors).")
    var threads: Int?

    @Option(help: "Samples per entry, 1 to 100000 (the report used 10).")
    var repetitions = 10

    @Option(
      help: ArgumentHelp(
        "Spread the measurement over N processes, 1 to 100, each running --repetitions rounds.",
        discussion: """
          Each process lays out code and data its own way, which moves a kernel's time by a \
          percent or more from one process to the next. A baseline saved with N ≥ 2, compared \
          with a run of N ≥ 2, bounds each change by the processes' medians as well (5 gives a \
          95 % interval from them): an unchanged build then reads "no change".
          """))
    var processes = 1

    @Option(help: "Seed of the inputs and of the shuffled order.")
    var seed: UInt64 = 1

    @Option(help: "Kernel whose time speedups are relative to.")
    var baseline = "naive"

    @Flag(help: "Draw new random inputs before every sample.")
    var freshInputs = false

    @Option(help: "Shortest sample, 0 to 60000 ms; faster calls are repeated within a sample.")
    var minSampleMs = 10.0

    @Option(help: "Write the full result as JSON to this file (- for stdout).")
    var json: String?

    @Option(help: "Write every raw sample as CSV to this file (- for stdout).")
    var csv: String?

    @Option(
      help: "Write the table and the one-line answers as Markdown to this file (- for stdout).")
    var markdown: String?

    @Option(help: "Save this run as a baseline: a name (kept beside wisdom) or a .json path.")
    var saveBaseline: String?

    @Option(help: "Compare this run with a saved baseline (a name or a .json path).")
    var baselineFrom: String?

    @Option(help: "Changes smaller than this are reported as no change (2% or 0.02).")
    var threshold = "2%"

    @Flag(help: "Exit with status 1 when a configuration is slower than the baseline.")
    var failOnRegression = false

    @Option(
      help: ArgumentHelp(
        "With --baseline-from: divide each time by this kernel's in the same round first.",
        discussion: """
          Cancels what changed for the whole machine between the two runs (a shared host that is \
          faster or slower as a whole). The kernel must be among --kernels in both runs and \
          untouched by the change under test.
          """))
    var relativeTo: String?

    @Flag(help: "No progress bar.")
    var quiet = false

    @Option(
      help: ArgumentHelp(
        "Test hook: also measure KERNEL made FACTOR times slower (KERNEL@FACTOR).",
        visibility: .hidden))
    var testSlowCopy: [String] = []

    @Option(
      help: ArgumentHelp(
        "Test hook: run KERNEL FACTOR times slower under its own name (KERNEL@FACTOR).",
        visibility: .hidden))
    var testSlow: [String] = []

    func validate() throws {
      _ = try comparison()
      try OptionLimits.count(repetitions, "--repetitions", 1...100_000)
      try OptionLimits.count(processes, "--processes", 1...100)
      guard minSampleMs.isFinite, minSampleMs >= 0, minSampleMs <= 60_000 else {
        throw ValidationError(
          "--min-sample-ms must lie in [0, 60000] (one minute), got \(minSampleMs)")
      }
      _ = try thresholdValue()
      if failOnRegression && baselineFrom == nil {
        throw ValidationError("--fail-on-regression needs --baseline-from")
      }
      if let relativeTo {
        guard baselineFrom != nil else {
          throw ValidationError("--relative-to needs --baseline-from")
        }
        let names = try ListParsing.names(kernels, flag: "--kernels")
        guard names.contains(relativeTo) else {
          throw ValidationError(
            "--relative-to \(relativeTo) is not among --kernels (\(names.joined(separator: ",")))")
        }
      }
      if [json, csv, markdown].filter({ $0 == "-" }).count > 1 {
        throw ValidationError("only one of --json -, --csv - and --markdown - can have stdout")
      }
    }

    /// The comparison the flags describe.
    func comparison() throws -> Comparison {
      let names = try ListParsing.names(kernels, flag: "--kernels")
      guard names.contains(baseline) else {
        throw ValidationError(
          "--baseline \(baseline) is not among --kernels (\(names.joined(separator: ",")))")
      }
      let shapes = try ListParsing.positiveIntegers(dims, flag: "--dims").flatMap { d in
        try ListParsing.positiveIntegers(sizes, flag: "--sizes").map { n in
          AttentionShape.square(tokens: n, headDim: d)
        }
      }
      var comparison = Comparison(
        shapes: shapes,
        blockSizes: try ListParsing.positiveIntegers(blockSizes, flag: "--block-sizes"),
        baselineKernel: baseline,
        plan: MeasurementPlan(
          rounds: repetitions, minimumSampleSeconds: minSampleMs / 1000, seed: seed,
          freshInputs: freshInputs))
      for name in names {
        try add(name, to: &comparison)
      }
      for hook in testSlowCopy {
        let (name, factor) = try Self.slowdown(hook, flag: "--test-slow-copy")
        let kernel = try Self.kernelOrValidationError(name, parameters(for: name))
        comparison.add(SlowedKernel(kernel, factor: factor))
      }
      var slowdowns: [String: Double] = [:]
      for hook in testSlow {
        let (name, factor) = try Self.slowdown(hook, flag: "--test-slow")
        guard names.contains(name) else {
          throw ValidationError("--test-slow \(name) is not among --kernels")
        }
        slowdowns[name] = factor
      }
      if !slowdowns.isEmpty {
        comparison.substitute = { [slowdowns] kernel in
          slowdowns[kernel.name].map { SlowedKernel(kernel, factor: $0, keepsName: true) } ?? kernel
        }
      }
      return comparison
    }

    /// A test hook's `KERNEL@FACTOR`, with a factor from 1 to 100.
    private static func slowdown(_ hook: String, flag: String) throws -> (String, Double) {
      let parts = hook.split(separator: "@")
      guard parts.count == 2, let factor = Double(parts[1]), factor >= 1, factor <= 100 else {
        throw ValidationError("\(flag) takes KERNEL@FACTOR with FACTOR in [1, 100], got '\(hook)'")
      }
      return (String(parts[0]), factor)
    }

    /// The fixed parameters (`threads`, `blockK`) that apply to `name`.
    private func parameters(for name: String) throws -> [String: Int] {
      let taken = try Self.descriptorOrValidationError(name).parameters.map(\.name)
      var values: [String: Int] = [:]
      if let threads, taken.contains("threads") { values["threads"] = threads }
      if let blockK, taken.contains("blockK") { values["blockK"] = blockK }
      return values
    }

    private func add(_ name: String, to comparison: inout Comparison) throws {
      let values = try parameters(for: name)
      do throws(AttentionError) {
        try comparison.add(builtIn: name, parameters: values)
      } catch {
        throw ValidationError(error.description)
      }
    }

    private static func descriptorOrValidationError(_ name: String) throws -> KernelDescriptor {
      do throws(AttentionError) { return try KernelCatalog.descriptor(named: name) } catch {
        throw ValidationError(error.description)
      }
    }

    private static func kernelOrValidationError(_ name: String, _ values: [String: Int]) throws
      -> any AttentionKernel
    {
      do throws(AttentionError) { return try KernelCatalog.make(name, values) } catch {
        throw ValidationError(error.description)
      }
    }

    /// `--threshold` as a fraction: `2%` or `0.02`.
    func thresholdValue() throws -> Double {
      let text = threshold.trimmingCharacters(in: .whitespaces)
      let percent = text.hasSuffix("%")
      guard let number = Double(percent ? String(text.dropLast()) : text), number.isFinite,
        number >= 0
      else { throw ValidationError("--threshold takes a percentage (2%) or a fraction (0.02)") }
      let value = percent ? number / 100 : number
      guard value < 1 else { throw ValidationError("--threshold must be below 100%") }
      return value
    }

    /// The comparison measured by `processes` runs of this executable, one after the other, each
    /// writing its report to a temporary file; merged with `ComparisonReport(merging:)`.
    private func measureInProcesses() throws -> ComparisonReport {
      guard let executable = Bundle.main.executablePath else {
        throw CommandError("--processes: cannot find attune's own executable to run it again")
      }
      let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("attune-compare-\(UUID().uuidString)")
      do {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      } catch {
        throw CommandError("--processes: cannot create \(directory.path): \(error)")
      }
      defer { try? FileManager.default.removeItem(at: directory) }
      var parts: [ComparisonReport] = []
      for p in 0..<processes {
        if !quiet {
          FileHandle.standardError.write(
            Data("measuring in process \(p + 1) of \(processes)\n".utf8))
        }
        let file = directory.appendingPathComponent("process-\(p).json").path
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = childArguments(json: file)
        let errors = Pipe()
        child.standardError = errors
        child.standardOutput = FileHandle.nullDevice
        do { try child.run() } catch {
          throw CommandError("--processes: cannot start \(executable): \(error)")
        }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        guard child.terminationStatus == 0, let data = FileManager.default.contents(atPath: file)
        else {
          let text = String(decoding: message, as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
          throw CommandError(
            "process \(p + 1) of \(processes) failed (status \(child.terminationStatus))\(text.isEmpty ? "" : ": \(text)")"
          )
        }
        parts.append(try ComparisonReport.decode(data))
      }
      return try ComparisonReport(merging: parts)
    }

    /// The arguments of one process of `--processes`: the measurement's options, its report to
    /// `json`, no progress; the verdict and the outputs stay with this process.
    func childArguments(json: String) -> [String] {
      var arguments = [
        "compare", "--kernels", kernels, "--sizes", sizes, "--dims", dims, "--block-sizes",
        blockSizes, "--repetitions", "\(repetitions)", "--seed", "\(seed)", "--baseline", baseline,
        "--min-sample-ms", "\(minSampleMs)", "--json", json, "--quiet",
      ]
      if let blockK { arguments += ["--block-k", "\(blockK)"] }
      if let threads { arguments += ["--threads", "\(threads)"] }
      if freshInputs { arguments.append("--fresh-inputs") }
      for hook in testSlowCopy { arguments += ["--test-slow-copy", hook] }
      for hook in testSlow { arguments += ["--test-slow", hook] }
      return arguments
    }

    /// The saved baseline `--baseline-from` names, read before any measurement.
    func loadBaseline() throws -> ComparisonReport? {
      guard let baselineFrom else { return nil }
      let path = try BaselineLocation.path(for: baselineFrom)
      guard let data = FileManager.default.contents(atPath: path) else {
        throw CommandError("no baseline at \(path) (save one with --save-baseline \(baselineFrom))")
      }
      do { return try ComparisonReport.decode(data) } catch {
        throw CommandError("the baseline \(path) is not a comparison saved by attune: \(error)")
      }
    }

    func run() throws {
      let comparison = try comparison()
      let baseline = try loadBaseline()
      let savedBaseline = try saveBaseline.map { try BaselineLocation.path(for: $0) }
      if let savedBaseline { try BaselineLocation.prepareDirectory(of: savedBaseline) }
      try OutputFile.check(json, csv, markdown, savedBaseline)
      printWarnings(
        MeasurementWarnings.warnings(machine: .current(), repetitions: repetitions))
      let result: ComparisonReport
      if processes > 1 {
        result = try measureInProcesses()
      } else {
        var bar = ProgressBar(quiet: quiet)
        do {
          result = try comparison.run { bar.update($0) }
        } catch let error as AttentionError {
          bar.finish()
          throw CommandError(error.description)
        }
        bar.finish()
      }
      var outputs: [(bytes: [UInt8], path: String)] = []
      if let json { outputs.append(([UInt8](try result.json()), json)) }
      if let csv { outputs.append((Array(result.csv().utf8), csv)) }
      if let markdown { outputs.append((Array(result.markdown().utf8), markdown)) }
      if let savedBaseline { outputs.append(([UInt8](try result.json()), savedBaseline)) }
      try OutputFile.write(outputs)
      let limit = try thresholdValue()
      let versus = try baseline.map { baseline in
        try ensure { () throws(StatsError) in
          try BaselineComparison(
            current: result, baseline: baseline, threshold: limit, reference: relativeTo)
        }
      }
      if let versus {
        printWarnings(
          versus.differences.map { "the baseline was measured elsewhere: \($0)" }
            + (versus.unmatched.isEmpty
              ? [] : ["not in the baseline: \(versus.unmatched.joined(separator: "; "))"]))
      }
      if ![json, csv, markdown].contains("-") {
        let machine = result.machine
        print(
          "\(machine.cpuModel), \(machine.logicalProcessors) processors, \(machine.operatingSystem), Swift \(machine.swiftVersion) \(machine.buildConfiguration), micro-kernels \(machine.microKernels ?? "unknown"), Attune \(machine.attuneVersion ?? "?")\(machine.attuneCommit.map { " (\($0))" } ?? "")"
        )
        print(
          "\(result.plan.rounds) interleaved rounds\(result.plan.processes.map { " in \($0) processes" } ?? ""); times are per call\n"
        )
        print(result.table())
        print("")
        print(result.answers().joined(separator: "\n"))
        if let versus {
          print("")
          print(versus.table())
          print(versus.summary())
        }
        if let savedBaseline { print("saved the baseline in \(savedBaseline)") }
      }
      if failOnRegression, let versus, versus.hasRegression {
        FileHandle.standardError.write(Data("regression: \(versus.summary())\n".utf8))
        throw ExitCode(1)
      }
    }
  }
}
