import AttuneKernels
import AttuneNPY
import Foundation
import Testing
import _AttuneTestSupport

/// `attune run` end to end: files in, file out, checked against the Float64 oracle.
@Suite(.serialized)
struct RunCommandTests {
  /// Writes a problem's Q, K, V as `.npy` files in `directory`.
  func write(_ problem: Problem, to directory: URL) throws {
    let s = problem.inputs.shape
    try NPY.write(
      NPYArray(shape: [s.queries, s.headDim], values: problem.inputs.q),
      path: directory.appendingPathComponent("q.npy").path)
    try NPY.write(
      NPYArray(shape: [s.keys, s.headDim], values: problem.inputs.k),
      path: directory.appendingPathComponent("k.npy").path)
    try NPY.write(
      NPYArray(shape: [s.keys, s.valueDim], values: problem.inputs.v),
      path: directory.appendingPathComponent("v.npy").path)
  }

  @Test("every kernel, from .npy files, matches the oracle", arguments: KernelCatalog.names)
  func files(kernel: String) throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let problem = Problem(
      shape: AttentionShape(queries: 65, keys: 130, headDim: 72, valueDim: 40), data: .random,
      seed: 11)
    try write(problem, to: directory)
    let result = try AttuneProcess.run(
      [
        "run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy", "--kernel", kernel,
      ],
      in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("kernel  \(kernel)"))
    let output = try NPY.read(path: directory.appendingPathComponent("o.npy").path)
    #expect(output.shape == [65, 40])
    #expect(maxAbsoluteError(output.values, problem.oracle()) <= 2e-6 * problem.maxAbsValue)
  }

  @Test("a negative --scale parses (as PyTorch computes one) and gives the oracle's answer")
  func negativeScale() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let problem = Problem(
      shape: AttentionShape(queries: 9, keys: 17, headDim: 8), data: .random, seed: 5)
    try write(problem, to: directory)
    let result = try AttuneProcess.run(
      ["run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy", "--scale", "-0.5"],
      in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    let output = try NPY.read(path: directory.appendingPathComponent("o.npy").path)
    let want = Oracle.attention(problem.inputs, scale: -0.5)
    #expect(maxAbsoluteError(output.values, want) <= 2e-6 * problem.maxAbsValue)
  }

  @Test("--random with --json prints a JSON report with the shape and kernel settings")
  func randomJSON() throws {
    let result = try AttuneProcess.run([
      "run", "--random", "--n", "100", "--nk", "70", "--d", "16", "--dv", "24", "--kernel",
      "simd", "--block-size", "32", "--threads", "1", "--json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    #expect(object?["kernel"] as? String == "simd")
    #expect(object?["queries"] as? Int == 100)
    #expect(object?["keys"] as? Int == 70)
    #expect(object?["valueDim"] as? Int == 24)
    #expect((object?["settings"] as? [String: Int]) == ["blockSize": 32, "threads": 1])
    #expect((object?["seconds"] as? Double ?? 0) > 0)
  }

  @Test("--repeat answers with the median and its interval, at the level the calls reach")
  func repeatInterval() throws {
    for (calls, level) in [(3, "75%"), (20, "95%")] {
      let result = try AttuneProcess.run([
        "run", "--random", "--n", "40", "--d", "8", "--threads", "1", "--repeat", "\(calls)",
      ])
      #expect(result.status == 0, "\(result.stderr)")
      let line = result.stdout.split(separator: "\n").first { $0.hasPrefix("time") } ?? ""
      #expect(line.contains("(median of \(calls) calls, its \(level) interval)"), "\(line)")
    }
    let json = try AttuneProcess.run([
      "run", "--random", "--n", "40", "--d", "8", "--threads", "1", "--repeat", "20", "--json",
    ])
    let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
    let interval = try #require(object?["medianInterval"] as? [String: Double])
    let seconds = try #require(object?["seconds"] as? Double)
    #expect(
      (interval["lower"] ?? .infinity) <= seconds && seconds <= (interval["upper"] ?? 0)
        && (interval["confidence"] ?? 0) >= 0.95)
  }

  @Test("4-D inputs with leading dimensions of 1 keep Q's leading dimensions in the output")
  func leadingOnes() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let problem = Problem(
      shape: AttentionShape(queries: 9, keys: 5, headDim: 3, valueDim: 2), data: .random, seed: 2)
    try write(problem, to: directory)
    let q = try NPY.read(path: directory.appendingPathComponent("q.npy").path)
    try NPY.write(
      NPYArray(shape: [1, 1, 9, 3], values: q.values),
      path: directory.appendingPathComponent("q4.npy").path)
    let result = try AttuneProcess.run(
      ["run", "--q", "q4.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy"], in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    let output = try NPY.read(path: directory.appendingPathComponent("o.npy").path)
    #expect(output.shape == [1, 1, 9, 2])
  }

  @Test("`attune kernels --json` lists the five kernels with their parameters, and the tables")
  func kernels() throws {
    let result = try AttuneProcess.run(["kernels", "--json"])
    #expect(result.status == 0)
    let listing =
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let list = listing?["kernels"] as? [[String: Any]]
    #expect(list?.compactMap { $0["name"] as? String } == KernelCatalog.names)
    let micro = listing?["microKernels"] as? [String: Any]
    #expect(micro?["supported"] as? [String] == InstructionSet.supported.map(\.rawValue))
    let text = try AttuneProcess.run(["kernels"])
    #expect(text.stdout.contains("--block-q"))
    #expect(text.stdout.contains("micro-kernels \(try InstructionSet.active().entryName)"))
  }

  @Test("`attune run --isa` names the table it ran on and refuses one the CPU lacks")
  func instructionSetChoice() throws {
    for isa in InstructionSet.supported {
      let result = try AttuneProcess.run([
        "run", "--random", "--n", "70", "--d", "33", "--isa", isa.rawValue,
      ])
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout.contains("cpu     \(isa.entryName) micro-kernels"))
    }
    for isa in InstructionSet.allCases where !isa.isSupported {
      let result = try AttuneProcess.run(["run", "--random", "--n", "70", "--isa", isa.rawValue])
      #expect(result.status != 0)
      #expect(result.stderr.contains("this CPU does not run the \(isa.rawValue) micro-kernels"))
    }
    let unknown = try AttuneProcess.run(["run", "--random", "--n", "70", "--isa", "sse9"])
    #expect(unknown.status != 0 && unknown.stderr.contains("no instruction set named 'sse9'"))
  }
}
