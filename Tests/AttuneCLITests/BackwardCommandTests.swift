import AttuneKernels
import AttuneNPY
import Foundation
import Testing
import _AttuneTestSupport

/// `attune backward` end to end: .npy files in, gradients out, checked against the library and
/// the Float64 oracle; bad inputs refused with nothing written.
@Suite(.serialized)
struct BackwardCommandTests {
  let head = AttentionShape(queries: 33, keys: 70, headDim: 12, valueDim: 5)

  /// Q [2, 33, 12], K [1, 70, 12], V [1, 70, 5] (two query heads on one K/V head) and dO.
  func write(to directory: URL) throws -> (q: [Float], k: [Float], v: [Float], dO: [Float]) {
    var generator = SplitMix64(seed: 31)
    func random(_ count: Int) -> [Float] { (0..<count).map { _ in generator.nextGaussian() } }
    let tensors = (
      q: random(2 * 33 * 12), k: random(70 * 12), v: random(70 * 5), dO: random(2 * 33 * 5)
    )
    for (name, dims, values) in [
      ("q", [2, 33, 12], tensors.q), ("k", [1, 70, 12], tensors.k), ("v", [1, 70, 5], tensors.v),
      ("do", [2, 33, 5], tensors.dO),
    ] {
      try NPY.write(
        NPYArray(shape: dims, values: values),
        path: directory.appendingPathComponent("\(name).npy").path)
    }
    return tensors
  }

  let files = [
    "backward", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--grad-output", "do.npy", "--dq",
    "dq.npy", "--dk", "dk.npy", "--dv", "dv.npy", "--causal", "bottom-right",
  ]

  @Test("from .npy files: the library's gradients, with the inputs' shapes; O and LSE read back")
  func fromFiles() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let t = try write(to: directory)
    let shape = MultiHeadShape(batch: 1, heads: 2, kvHeads: 1, head: head)
    let options = AttentionOptions(mask: .causal(.bottomRight))
    let forward = try multiHeadAttention(
      q: t.q, k: t.k, v: t.v, shape: shape, options: options, logSumExp: true)
    let want = try multiHeadAttentionBackward(
      q: t.q, k: t.k, v: t.v, output: forward.output, logSumExp: forward.logSumExp ?? [],
      gradOutput: t.dO, shape: shape, options: options)
    let computed = try AttuneProcess.run(files, in: directory)
    #expect(computed.status == 0, "\(computed.stderr)")
    #expect(computed.stdout.contains("forward computed"))
    func read(_ name: String) throws -> NPYArray {
      try NPY.read(path: directory.appendingPathComponent(name).path)
    }
    #expect(try read("dq.npy").shape == [2, 33, 12])
    #expect(try read("dk.npy").shape == [1, 70, 12] && read("dv.npy").shape == [1, 70, 5])
    for (name, expected) in [("dq.npy", want.dq), ("dk.npy", want.dk), ("dv.npy", want.dv)] {
      let got = try read(name).values
      #expect(maxAbsoluteError(got, expected.map(Double.init)) <= 1e-6, "\(name)")
    }
    // The forward's O and log-sum-exp from attune run, given back: the same gradients.
    let run = try AttuneProcess.run(
      [
        "run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy", "--lse", "l.npy",
        "--causal", "bottom-right",
      ], in: directory)
    #expect(run.status == 0, "\(run.stderr)")
    let reused = try AttuneProcess.run(
      files + ["--out", "o.npy", "--lse", "l.npy", "--dq", "dq2.npy", "--json"], in: directory)
    #expect(reused.status == 0, "\(reused.stderr)")
    #expect(reused.stdout.contains("\"forward\" : \"read\""))
    #expect(maxAbsoluteError(try read("dq2.npy").values, want.dq.map(Double.init)) <= 1e-5)
  }

  @Test("--random --repeat times the backward alone and reports the median")
  func random() throws {
    let result = try AttuneProcess.run(
      ["backward", "--random", "--n", "40", "--d", "8", "--heads", "2", "--repeat", "3", "--json"])
    #expect(result.status == 0, "\(result.stderr)")
    struct Report: Decodable {
      let kernel: String
      let seconds: Double
      let samples: [Double]
    }
    let report = try JSONDecoder().decode(Report.self, from: Data(result.stdout.utf8))
    #expect(report.kernel == "fused" && report.samples.count == 3 && report.seconds > 0)
    // The random value width is --value-dim: --dv names dV's file (once both were "--dv", and
    // the width was written to a file named "12").
    let directory = try AttuneProcess.temporaryDirectory()
    let widths = try AttuneProcess.run(
      ["backward", "--random", "--n", "8", "--d", "4", "--value-dim", "12", "--json"],
      in: directory)
    #expect(widths.status == 0, "\(widths.stderr)")
    #expect(widths.stdout.contains("\"valueDim\" : 12"))
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    let step = try AttuneProcess.run(
      ["backward", "--random", "--n", "40", "--d", "8", "--step", "--repeat", "2"])
    #expect(step.status == 0 && step.stdout.contains("forward timed with the backward"))
    // --serve: "ready", then one mean per request line.
    let served = try AttuneProcess.run(
      ["backward", "--random", "--n", "16", "--d", "4", "--serve"], input: "2\n1\n")
    let lines = served.stdout.split(separator: "\n")
    #expect(served.status == 0 && lines.count == 3 && lines[0] == "ready", "\(served.stdout)")
    #expect(lines.dropFirst().allSatisfy { (Double($0) ?? 0) > 0 })
  }

  @Test("bad inputs: one clear error, the documented status, no gradient written")
  func badInputs() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    _ = try write(to: directory)
    try NPY.write(
      NPYArray(shape: [2, 33, 4], values: [Float](repeating: 0, count: 264)),
      path: directory.appendingPathComponent("wrong.npy").path)
    let cases: [([String], Int32, String)] = [
      (files.map { $0 == "do.npy" ? "wrong.npy" : $0 }, 1, "expected floats of shape [2, 33, 5]"),
      (files + ["--out", "o.npy"], 64, "--out and --lse go together"),
      (files + ["--kernel", "slow"], 64, "no backward kernel 'slow'"),
      (files + ["--kernel", "naive", "--block-q", "8"], 64, "fused backward kernel only"),
      (files.map { $0 == "dq.npy" ? "missing/dq.npy" : $0 }, 1, "missing"),
      (["backward", "--q", "q.npy"], 64, "--grad-output"),
      (["backward", "--random", "--q", "q.npy"], 64, "--random excludes"),
    ]
    for (arguments, status, message) in cases {
      let result = try AttuneProcess.run(arguments, in: directory)
      #expect(result.status == status, "\(arguments): \(result.stderr)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
      for name in ["dq.npy", "dk.npy", "dv.npy"] {
        #expect(
          !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path),
          "\(arguments) wrote \(name)")
      }
    }
  }
}
