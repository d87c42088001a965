import AttuneNPY
import Foundation
import Testing

/// Bad input on the command line: one `Error:` line on stderr, the documented exit status, and no
/// output file.
@Suite(.serialized)
struct BadInputTests {
  struct Case: CustomTestStringConvertible, Sendable {
    let arguments: [String]
    let status: Int32
    let message: String
    var testDescription: String { arguments.joined(separator: " ") }
  }

  /// Usage errors (status 64) and data errors (status 1), each with a phrase its line must hold.
  static let cases: [Case] = [
    Case(arguments: ["plan", "--level", "bogus"], status: 64, message: "--level: no 'bogus'"),
    Case(
      arguments: ["plan", "--level", "wisdom-only", "--wisdom", "w.json"], status: 1,
      message: "no wisdom applies"),
    Case(
      arguments: ["wisdom", "import", "missing.json", "--wisdom", "w.json"], status: 1,
      message: "missing.json"),
    Case(
      arguments: ["wisdom", "import", "garbage.npy", "--wisdom", "w.json"], status: 1,
      message: "cannot read wisdom from garbage.npy"),
    Case(
      arguments: ["report", "--from", "no-such-dir"], status: 1, message: "no-such-dir is missing"),
    Case(
      arguments: ["report", "--from", "bad-report"], status: 1,
      message: "bad-report/report.json is not valid report data"),
    Case(arguments: ["report", "--from", ".", "--quick"], status: 64, message: "--quick measures"),
    Case(arguments: ["report", "--output", "q.npy"], status: 1, message: "not a directory"),
    Case(
      arguments: ["run", "--q", "q.npy", "--k", "k.npy"], status: 64,
      message: "give --q, --k and --v"),
    Case(
      arguments: ["run", "--random", "--q", "q.npy"], status: 64, message: "exclude each other"),
    Case(
      arguments: ["run", "--random", "--n", "0"], status: 64,
      message: "--n must lie in 1...16777216"),
    Case(arguments: ["run", "--random", "--n", "abc"], status: 64, message: "'abc' is invalid"),
    Case(
      arguments: ["run", "--random", "--kernel", "flash"], status: 64,
      message: "no kernel named 'flash'"),
    Case(
      arguments: ["run", "--random", "--block-size", "8"], status: 64,
      message: "--block-size does not apply to the fused kernel"),
    Case(
      arguments: ["run", "--random", "--kernel", "naive", "--threads", "2"], status: 64,
      message: "takes no parameters"),
    Case(
      arguments: ["run", "--random", "--block-q", "0"], status: 64,
      message: "--block-q 0 is invalid"),
    Case(
      arguments: ["run", "--random", "--threads", "100000"], status: 64,
      message: "--threads 100000 is invalid"),
    Case(
      arguments: ["run", "--random", "--scale", "-inf"], status: 64,
      message: "--scale must be finite"),
    Case(
      arguments: ["run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--n", "3"], status: 64,
      message: "--n goes with --random"),
    Case(arguments: ["run", "--random", "--wat"], status: 64, message: "Unknown option"),
    Case(
      arguments: ["run", "--q", "missing.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy"],
      status: 1, message: "No such file"),
    Case(
      arguments: ["run", "--q", "garbage.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy"],
      status: 1, message: "not an .npy file"),
    Case(
      arguments: ["run", "--q", "truncated.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy"],
      status: 1, message: "truncated data"),
    Case(
      arguments: ["run", "--q", "q.npy", "--k", "k-narrow.npy", "--v", "v.npy", "--out", "o.npy"],
      status: 1, message: "last dimensions (dk) must match"),
    Case(
      arguments: ["run", "--q", "q.npy", "--k", "k.npy", "--v", "q.npy", "--out", "o.npy"],
      status: 1, message: "same batch, heads and rows (Nk)"),
    Case(
      arguments: ["run", "--q", "empty.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy"],
      status: 1, message: "is empty"),
    Case(
      arguments: ["run", "--q", "batch.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy"],
      status: 1, message: "their batch sizes differ"),
    Case(
      arguments: ["run", "--q", "vector.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy"],
      status: 1, message: "expected floats [N, d], [H, N, d] or [B, H, N, d]"),
    Case(
      arguments: ["run", "--q", "q.npy", "--k", "nan.npy", "--v", "v.npy", "--out", "o.npy"],
      status: 1, message: "K holds nan at flat index 5"),
    Case(
      arguments: [
        "run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "missing-dir/o.npy",
      ], status: 1, message: "cannot write missing-dir/o.npy"),
    Case(
      arguments: ["run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "."], status: 1,
      message: "it is a directory"),
    Case(
      arguments: ["compare", "--kernels", "naive,flash"], status: 64,
      message: "no kernel named 'flash'"),
    Case(
      arguments: ["compare", "--sizes", "0"], status: 64, message: "--sizes takes positive integers"
    ),
    Case(
      arguments: ["compare", "--dims", "64,x"], status: 64,
      message: "--dims takes positive integers"),
    Case(
      arguments: ["compare", "--block-sizes", ""], status: 64,
      message: "--block-sizes takes positive integers"),
    Case(
      arguments: ["compare", "--kernels", "simd,fused"], status: 64,
      message: "--baseline naive is not among --kernels"),
    Case(
      arguments: ["compare", "--repetitions", "0"], status: 64,
      message: "--repetitions must lie in 1...100000"),
    Case(arguments: ["compare", "--threads", "0"], status: 64, message: "threads = 0 is invalid"),
    Case(
      arguments: ["compare", "--json", "-", "--csv", "-"], status: 64,
      message: "only one of --json -, --csv - and --markdown -"),
    Case(
      arguments: ["compare", "--test-slow-copy", "fused@0.5"], status: 64, message: "KERNEL@FACTOR"),
    Case(
      arguments: ["compare", "--sizes", "8", "--json", "missing-dir/r.json"], status: 1,
      message: "cannot write missing-dir/r.json"),
    Case(
      arguments: ["tune", "--kernel", "naive"], status: 64, message: "has no block size to tune"),
    Case(
      arguments: ["tune", "--strategy", "bogus"], status: 64, message: "--strategy: no 'bogus'"),
    Case(
      arguments: ["tune", "--strategy", "race,grid"], status: 64,
      message: "--strategy takes one strategy"),
    Case(
      arguments: ["tune", "--candidates", "0,64"], status: 64,
      message: "--candidates takes positive integers"),
    Case(
      arguments: ["tune", "--n", "32"], status: 64,
      message: "no candidate block size is at most N = 32"),
    Case(arguments: ["tune", "--epsilon", "2"], status: 64, message: "--epsilon must lie in"),
    Case(
      arguments: ["tune", "--n", "64", "--candidates", "16", "--json", "missing-dir/t.json"],
      status: 1, message: "cannot write"),
    Case(
      arguments: ["duel", "--trials", "0"], status: 64, message: "--trials must lie in 1...100000"),
    Case(
      arguments: ["simulate", "--profile", "nope"], status: 64, message: "--profile: no 'nope'"),
    Case(
      arguments: ["simulate", "--noise", "lognormal,x"], status: 64, message: "--noise: no 'x'"),
    Case(arguments: ["simulate", "--cv", "2"], status: 64, message: "--cv must lie in (0, 1)"),
    Case(
      arguments: ["simulate", "--delta", "0"], status: 64, message: "--delta must lie in (0, 1)"),
  ]

  /// Writes the files the cases name into `directory`.
  func prepare(_ directory: URL) throws {
    func save(_ name: String, _ shape: [Int], _ values: [Float]? = nil) throws {
      let count = shape.reduce(1, *)
      try NPY.write(
        NPYArray(shape: shape, values: values ?? (0..<count).map { Float($0 % 7) * 0.1 }),
        path: directory.appendingPathComponent(name).path)
    }
    try save("q.npy", [4, 3])
    try save("k.npy", [5, 3])
    try save("v.npy", [5, 2])
    try save("k-narrow.npy", [5, 2])
    try save("empty.npy", [3, 0])  // rows without features (no row at all is valid)
    try save("batch.npy", [2, 1, 4, 3])
    try save("vector.npy", [3])
    var withNaN = [Float](repeating: 1, count: 15)
    withNaN[5] = .nan
    try save("nan.npy", [5, 3], withNaN)
    let q = NPY.encode(try NPYArray(shape: [4, 3], values: [Float](repeating: 1, count: 12)))
    try Data(q.dropLast(3)).write(to: directory.appendingPathComponent("truncated.npy"))
    try Data("not numpy at all".utf8).write(to: directory.appendingPathComponent("garbage.npy"))
    let badReport = directory.appendingPathComponent("bad-report")
    try FileManager.default.createDirectory(at: badReport, withIntermediateDirectories: true)
    try Data("{\"schemaVersion\": 1, \"plan\": 3}".utf8).write(
      to: badReport.appendingPathComponent("report.json"))
  }

  @Test("each bad input gives one clear line, its exit status, and no output", arguments: cases)
  func badInput(_ badCase: Case) throws {
    let directory = try AttuneProcess.temporaryDirectory()
    try prepare(directory)
    let before = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    let result = try AttuneProcess.run(badCase.arguments, in: directory)
    #expect(result.status == badCase.status, "stderr: \(result.stderr)")
    #expect(result.stdout.isEmpty)
    let first = result.errorLines.first ?? ""
    #expect(
      first.hasPrefix("Error: ") && first.contains(badCase.message), "stderr: \(result.stderr)")
    if badCase.status == 1 {
      #expect(result.errorLines.count == 1, "a data error is one line: \(result.stderr)")
    }
    let after = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    #expect(after == before, "nothing was written")
  }
}

extension BadInputTests {
  @Test("a random problem larger than memory is one error line, not a crash")
  func hugeRandom() throws {
    let result = try AttuneProcess.run([
      "run", "--random", "--n", "16777216", "--nk", "1", "--d", "16777216",
    ])
    #expect(result.status == 1)
    #expect(result.errorLines.count == 1)
    #expect(result.stderr.contains("random inputs") && result.stderr.contains("MiB"))
  }
}
