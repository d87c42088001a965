import AttuneKernels
import AttuneNPY
import Foundation
import Testing
import _AttuneTestSupport

/// `attune run` on ragged batches: offsets from int32 and int64 `.npy` files, computed directly,
/// from a KV cache and padded, each sequence against the Float64 oracle; bad offsets and flag
/// combinations refused with nothing written.
@Suite(.serialized)
struct RaggedRunTests {
  let heads = 4
  let kvHeads = 2
  let dk = 8
  let dv = 5
  let queries = [3, 1, 0, 9]
  let keys = [7, 1, 4, 20]

  /// An `.npy` of little-endian int32 (`width` 4) or int64 values, shape `[count]`.
  static func integerNPY(_ values: [Int], width: Int) -> [UInt8] {
    var header = "{'descr': '<i\(width)', 'fortran_order': False, 'shape': (\(values.count),), }"
    let padding = (64 - (10 + header.utf8.count + 1) % 64) % 64
    header += String(repeating: " ", count: padding) + "\n"
    let length = header.utf8.count
    var bytes: [UInt8] = [
      0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8),
    ]
    bytes += Array(header.utf8)
    for value in values {
      for i in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }
    return bytes
  }

  /// Writes Q, K, V and the offsets; returns the tensors.
  func write(to directory: URL, width: Int) throws -> (q: [Float], k: [Float], v: [Float]) {
    var generator = SplitMix64(seed: 8)
    let (tq, tk) = (queries.reduce(0, +), keys.reduce(0, +))
    let q = (0..<(heads * tq * dk)).map { _ in generator.nextGaussian() }
    let k = (0..<(kvHeads * tk * dk)).map { _ in generator.nextGaussian() }
    let v = (0..<(kvHeads * tk * dv)).map { _ in generator.nextGaussian() }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    try NPY.write(NPYArray(shape: [heads, tq, dk], values: q), path: path("q.npy"))
    try NPY.write(NPYArray(shape: [kvHeads, tk, dk], values: k), path: path("k.npy"))
    try NPY.write(NPYArray(shape: [kvHeads, tk, dv], values: v), path: path("v.npy"))
    let offsets = { (lengths: [Int]) in lengths.reduce(into: [0]) { $0.append(($0.last ?? 0) + $1) }
    }
    try Data(Self.integerNPY(offsets(queries), width: width)).write(
      to: URL(fileURLWithPath: path("qo.npy")))
    try Data(Self.integerNPY(offsets(keys), width: width)).write(
      to: URL(fileURLWithPath: path("ko.npy")))
    return (q, k, v)
  }

  /// The largest error of `output [H, Tq, dv]` against the oracle, sequence by sequence.
  func error(_ output: [Float], q: [Float], k: [Float], v: [Float], mask: AttentionMask) -> Double {
    let (tq, tk) = (queries.reduce(0, +), keys.reduce(0, +))
    var (q0, k0, worst) = (0, 0, 0.0)
    for (nq, nk) in zip(queries, keys) {
      defer { (q0, k0) = (q0 + nq, k0 + nk) }
      guard nq > 0 else { continue }
      let shape = AttentionShape(queries: nq, keys: nk, headDim: dk, valueDim: dv)
      for h in 0..<heads {
        let g = h / (heads / kvHeads)
        let inputs = AttentionInputs(
          q: Array(q[((h * tq + q0) * dk)..<((h * tq + q0 + nq) * dk)]),
          k: Array(k[((g * tk + k0) * dk)..<((g * tk + k0 + nk) * dk)]),
          v: Array(v[((g * tk + k0) * dv)..<((g * tk + k0 + nk) * dv)]), shape: shape)
        let want = Oracle.attention(inputs, scale: Double(shape.defaultScale), mask: mask)
        let got = Array(output[((h * tq + q0) * dv)..<((h * tq + q0 + nq) * dv)])
        worst = max(worst, maxAbsoluteError(got, want))
      }
    }
    return worst
  }

  @Test(
    "offsets from int32 and int64 files, ragged and from every KV cache storage, match the oracle",
    arguments: [4, 8])
  func files(width: Int) throws {
    let directory = try AttuneProcess.temporaryDirectory()
    let (q, k, v) = try write(to: directory, width: width)
    let maxV = Double(v.map(abs).max() ?? 1)
    let common = [
      "run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--q-offsets", "qo.npy",
      "--kv-offsets", "ko.npy", "--out", "o.npy", "--causal", "bottom-right",
    ]
    // Each storage's tolerance: Float32 exactly; the others with their rounding (KVStorage).
    for (extra, tolerance) in [
      ([String](), 2e-6), (["--kv-storage", "float32", "--page-tokens", "3"], 2e-6),
      (["--kv-storage", "float16"], 1e-3), (["--kv-storage", "int8"], 1e-2),
    ] {
      let result = try AttuneProcess.run(common + extra, in: directory)
      #expect(result.status == 0, "\(extra): \(result.stderr)")
      #expect(result.stdout.contains("batch   4 sequences of 0...9 queries, 1...20 keys"))
      let output = try NPY.read(path: directory.appendingPathComponent("o.npy").path)
      #expect(output.shape == [heads, queries.reduce(0, +), dv])
      #expect(
        error(output.values, q: q, k: k, v: v, mask: .causal(.bottomRight)) <= tolerance * maxV,
        "\(extra)")
    }
  }

  @Test("--lengths: ragged, padded and cached runs give one answer")
  func randomLengths() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    var outputs = [[Float]]()
    for extra in [[], ["--padded"], ["--kv-storage", "float32"]] {
      let result = try AttuneProcess.run(
        [
          "run", "--random", "--lengths", "5:40", "--batch", "4", "--heads", "4", "--kv-heads",
          "2", "--d", "8", "--out", "o.npy", "--json",
        ] + extra, in: directory)
      #expect(result.status == 0, "\(extra): \(result.stderr)")
      #expect(
        result.stdout.contains("\"minKeys\" : 5") && result.stdout.contains("\"maxKeys\" : 40"))
      outputs.append(try NPY.read(path: directory.appendingPathComponent("o.npy").path).values)
    }
    #expect(outputs[0].count == 4 * (5 + 16 + 28 + 40) * 8)
    for other in outputs.dropFirst() {
      #expect(zip(outputs[0], other).allSatisfy { abs($0 - $1) <= 1e-5 })
    }
  }

  /// The bandwidth reference: served, it answers each request with a time, for ragged and
  /// plain random inputs; without `--serve` it is refused.
  @Test("--stream-read: served times, refused alone")
  func streamRead() throws {
    for shape in [["--lengths", "5:40", "--batch", "3"], ["--n", "33"]] {
      let flags = ["--heads", "4", "--kv-heads", "2", "--d", "8", "--stream-read", "--serve"]
      let served = try AttuneProcess.run(["run", "--random"] + flags + shape, input: "2\n1\n")
      let lines = served.stdout.split(separator: "\n")
      #expect(served.status == 0 && lines.count == 3 && lines[0] == "ready", "\(served.stderr)")
      #expect(lines.dropFirst().allSatisfy { (Double($0) ?? 0) > 0 }, "\(served.stdout)")
    }
    let alone = try AttuneProcess.run(["run", "--random", "--n", "8", "--stream-read"])
    #expect(alone.status == 64 && alone.stderr.contains("use it with --serve"), "\(alone.stderr)")
  }

  /// A KV cache run answers `read C` with the time of a streaming read of its own pages, and
  /// reports those pages' bytes; a run without a cache refuses `read`.
  @Test("--serve 'read C': the cache's pages read in place; refused without a cache")
  func pageRead() throws {
    let flags = [
      "run", "--random", "--lengths", "5:40", "--batch", "3", "--heads", "4", "--kv-heads", "2",
      "--d", "8", "--kv-storage", "int8", "--page-tokens", "16",
    ]
    let served = try AttuneProcess.run(flags + ["--serve"], input: "read 2\n1\nread 1\n")
    let lines = served.stdout.split(separator: "\n")
    #expect(served.status == 0 && lines.count == 4 && lines[0] == "ready", "\(served.stderr)")
    #expect(lines.dropFirst().allSatisfy { (Double($0) ?? 0) > 0 }, "\(served.stdout)")
    let report = try AttuneProcess.run(flags + ["--json"])
    let summary = try #require(
      (try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any])?[
        "ragged"] as? [String: Any])
    let (read, pages) = (summary["bytesRead"] as? Int ?? 0, summary["pageBytes"] as? Int ?? 0)
    // Whole pages of 16 tokens hold the 5 ... 40 keys of each sequence, and more.
    #expect(read > 0 && pages >= read, "bytesRead \(read), pageBytes \(pages)")
    for (input, message) in [("read 2\n", "needs --kv-storage"), ("read\n", "positive call count")]
    {
      let refused = try AttuneProcess.run(
        ["run", "--random", "--n", "8", "--serve"], input: input)
      #expect(refused.status != 0 && refused.stderr.contains(message), "\(refused.stderr)")
    }
  }

  @Test("bad offsets and flag combinations: one error line, status 64 or 1, nothing written")
  func refusals() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    _ = try write(to: directory, width: 8)
    func path(_ name: String) -> URL { directory.appendingPathComponent(name) }
    try Data(Self.integerNPY([0, 5, 3, 10, 24], width: 8)).write(to: path("down.npy"))
    try Data(Self.integerNPY([0, 7, 8, 12, 99], width: 8)).write(to: path("past.npy"))
    try Data(Self.integerNPY([0, 0, 8, 12, 32], width: 4)).write(to: path("empty.npy"))
    let files = ["run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy"]
    let cases: [([String], String)] = [
      (files + ["--q-offsets", "down.npy", "--kv-offsets", "ko.npy"], "decrease"),
      (files + ["--q-offsets", "qo.npy", "--kv-offsets", "past.npy"], "offsets end at"),
      (files + ["--q-offsets", "qo.npy", "--kv-offsets", "empty.npy"], "no keys"),
      (files + ["--q-offsets", "q.npy", "--kv-offsets", "ko.npy"], "integers are read as"),
      (files + ["--q-offsets", "qo.npy"], "both --q-offsets and --kv-offsets"),
      (files + ["--q-offsets", "qo.npy", "--kv-offsets", "ko.npy", "--padded"], "--padded"),
      (files + ["--q-offsets", "qo.npy", "--kv-offsets", "ko.npy", "--lse", "l.npy"], "--lse"),
      (
        files + ["--q-offsets", "qo.npy", "--kv-offsets", "ko.npy", "--kv-storage", "int4"],
        "int4"
      ),
      (
        files + [
          "--q-offsets", "qo.npy", "--kv-offsets", "ko.npy", "--kv-storage", "int8", "--kernel",
          "simd",
        ], "only --threads"
      ),
      (["run", "--random", "--lengths", "40:5", "--batch", "3"], "A ≤ B"),
      (["run", "--random", "--lengths", "4,5", "--batch", "3"], "--batch is 3"),
      (["run", "--random", "--kv-storage", "int8"], "ragged batch"),
      (
        ["run", "--random", "--lengths", "4:9", "--padded", "--causal", "bottom-right"], "top-left"
      ),
    ]
    for (arguments, message) in cases {
      let result = try AttuneProcess.run(arguments, in: directory)
      #expect(result.status != 0, "\(arguments)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
      #expect(!FileManager.default.fileExists(atPath: path("o.npy").path), "\(arguments)")
    }
  }
}
