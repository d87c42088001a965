import AttuneBench
import Foundation
import Testing

/// `attune compare` end to end, on sizes small enough to finish at once.
@Suite(.serialized)
struct CompareCommandTests {
  let small = [
    "compare", "--kernels", "naive,simd,fused", "--sizes", "16,40", "--block-sizes", "8,32",
    "--repetitions", "3", "--min-sample-ms", "0",
  ]

  @Test("prints the machine and an aligned table; writes JSON and CSV that read back")
  func files() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let result = try AttuneProcess.run(
      small + ["--json", "r.json", "--csv", "r.csv"], in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    // No progress bar when stderr is not a terminal; only warnings, among them that 3 samples
    // cannot give 95 % intervals (a busy machine may add the load average's).
    let warnings = result.stderr.split(separator: "\n")
    #expect(warnings.allSatisfy { $0.hasPrefix("warning: ") }, "\(result.stderr)")
    #expect(warnings.contains { $0.contains("3 repetitions per entry") })
    #expect(result.stdout.contains("interleaved rounds"))
    #expect(result.stdout.contains("speedup vs naive"))
    let data = try Data(contentsOf: directory.appendingPathComponent("r.json"))
    let report = try ComparisonReport.decode(data)
    // naive once per size; simd and fused once per block size ≤ N: 8 at N=16, 8 and 32 at N=40.
    #expect(report.entries.count == 1 + 1 + 1 + 1 + 2 + 2)
    #expect(report.samples.count == report.entries.count * 3)
    let csv = try String(contentsOf: directory.appendingPathComponent("r.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").count == report.samples.count + 1)
    for entry in report.entries { #expect(result.stdout.contains(entry.label)) }
    // Three samples give order-statistic intervals of 75 % coverage: the table says so, and a
    // one-line answer per size names the fastest configuration.
    #expect(!result.stdout.contains("95% CI") && result.stdout.contains("(75%)"))
    #expect(result.stdout.contains("N=16 d=") && result.stdout.contains("N=40 d="))
    #expect(result.stdout.contains(": fastest "))
  }

  @Test("--processes N: N processes' rounds in one report, every measurement option passed on")
  func processes() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let options = [
      "compare", "--kernels", "naive,fused", "--sizes", "24", "--dims", "8", "--block-sizes",
      "16", "--block-k", "16", "--threads", "1", "--repetitions", "2", "--seed", "5",
      "--min-sample-ms", "0", "--fresh-inputs",
    ]
    let one = try AttuneProcess.run(options + ["--json", "one.json"], in: directory)
    #expect(one.status == 0, "\(one.stderr)")
    let three = try AttuneProcess.run(
      options + ["--processes", "3", "--json", "three.json", "--save-baseline", "b.json"],
      in: directory)
    #expect(three.status == 0, "\(three.stderr)")
    #expect(three.stdout.contains("6 interleaved rounds in 3 processes"))
    #expect(three.stderr.contains("measuring in process 3 of 3"))
    let single = try ComparisonReport.decode(
      Data(contentsOf: directory.appendingPathComponent("one.json")))
    let merged = try ComparisonReport.decode(
      Data(contentsOf: directory.appendingPathComponent("three.json")))
    #expect(merged.entries.map(\.label) == single.entries.map(\.label))
    var plan = merged.plan
    plan.rounds = 2
    plan.processes = nil
    #expect(plan == single.plan && merged.plan.processes == 3)
    #expect(Set(merged.samples.compactMap(\.process)) == [0, 1, 2])
    #expect(merged.samples.count == 3 * single.samples.count)
    // Against a baseline of three processes, three processes: the interval spans the
    // processes' medians, at their level (1 − 2 / C(6, 3) = 90 %).
    let again = try AttuneProcess.run(
      options + ["--processes", "3", "--baseline-from", "b.json", "--threshold", "50%"],
      in: directory)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stdout.contains("(90%)"), "\(again.stdout)")
    for bad in ["0", "101", "two"] {
      let refused = try AttuneProcess.run(options + ["--processes", bad], in: directory)
      #expect(refused.status == 64 && refused.stderr.contains("--processes"), "\(bad)")
    }
  }

  @Test("--save-baseline, then --baseline-from: a verdict per configuration and an exit code")
  func baseline() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let saved = try AttuneProcess.run(small + ["--save-baseline", "b.json"], in: directory)
    #expect(saved.status == 0, "\(saved.stderr)")
    #expect(saved.stdout.contains("saved the baseline in b.json"))
    let again = try AttuneProcess.run(
      small + ["--baseline-from", "b.json", "--fail-on-regression", "--threshold", "50%"],
      in: directory)
    #expect(
      again.stdout.contains("time / baseline") && again.stdout.contains("against the baseline:"))
    // Status 1 exactly when a configuration is reported slower (a 50 % threshold makes that rare).
    #expect(again.status == (again.stdout.contains(" slower\n") ? 1 : 0), "\(again.stderr)")
    let missing = try AttuneProcess.run(small + ["--baseline-from", "nope.json"], in: directory)
    #expect(missing.status == 1 && missing.stderr.hasPrefix("Error: no baseline at nope.json"))
    let alone = try AttuneProcess.run(small + ["--fail-on-regression"], in: directory)
    #expect(alone.status == 64 && alone.stderr.contains("needs --baseline-from"))
    let badThreshold = try AttuneProcess.run(small + ["--threshold", "lots"], in: directory)
    #expect(badThreshold.status == 64 && badThreshold.stderr.contains("--threshold"))
  }

  @Test("--markdown writes the table and the answers; six repetitions reach 95 %")
  func markdown() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let arguments = small.map { $0 == "3" ? "6" : $0 }  // --repetitions 6
    let result = try AttuneProcess.run(arguments + ["--markdown", "r.md"], in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("95% CI") && !result.stdout.contains("(75%)"))
    #expect(!result.stderr.contains("repetitions per entry"))
    let text = try String(contentsOf: directory.appendingPathComponent("r.md"), encoding: .utf8)
    let lines = text.split(separator: "\n")
    #expect(lines.first?.hasPrefix("| kernel | N | d |") == true)
    #expect(lines.filter { $0.hasPrefix("- N=") }.count == 2)
    let stdoutOnly = try AttuneProcess.run(small + ["--markdown", "-", "--json", "-"])
    #expect(stdoutOnly.status == 64 && stdoutOnly.stderr.contains("only one of"))
  }

  @Test("--json - prints only the JSON on stdout")
  func jsonToStdout() throws {
    let result = try AttuneProcess.run(small + ["--json", "-"])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try ComparisonReport.decode(Data(result.stdout.utf8))
    #expect(report.baselineKernel == "naive")
  }

  @Test("the test hook adds a deliberately slower copy of a kernel")
  func slowCopy() throws {
    let result = try AttuneProcess.run([
      "compare", "--kernels", "fused", "--baseline", "fused", "--sizes", "32", "--block-sizes",
      "16", "--repetitions", "2", "--min-sample-ms", "0", "--test-slow-copy", "fused@1.5",
      "--json", "-",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let report = try ComparisonReport.decode(Data(result.stdout.utf8))
    #expect(report.entries.map(\.kernel) == ["fused", "fused×1.5"])
  }
}
