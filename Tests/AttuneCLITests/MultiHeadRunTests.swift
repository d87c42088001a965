import AttuneKernels
import AttuneNPY
import Foundation
import Testing
import _AttuneTestSupport

/// `attune run` on batched, multi-head, grouped-query `.npy` tensors with masks, a boolean bias,
/// log-sum-exp output and float16 storage, checked head by head against the Float64 oracle.
@Suite(.serialized)
struct MultiHeadRunTests {
  let batch = 2
  let heads = 4
  let kvHeads = 2
  let nq = 9
  let nk = 13
  let dk = 8
  let dv = 5

  func draw(_ count: Int, _ generator: inout SplitMix64) -> [Float] {
    (0..<count).map { _ in generator.nextGaussian() }
  }

  @Test("4-D Q, K, V with Hkv < H, bottom-right causal, a boolean bias and --lse")
  func groupedQueryWithMaskAndBias() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    var generator = SplitMix64(seed: 21)
    let q = draw(batch * heads * nq * dk, &generator)
    let k = draw(batch * kvHeads * nk * dk, &generator)
    let v = draw(batch * kvHeads * nk * dv, &generator)
    let allowed = (0..<(nq * nk)).map { _ in generator.next() % 4 != 0 }
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    try NPY.write(NPYArray(shape: [batch, heads, nq, dk], values: q), path: path("q.npy"))
    try NPY.write(NPYArray(shape: [batch, kvHeads, nk, dk], values: k), path: path("k.npy"))
    try NPY.write(NPYArray(shape: [batch, kvHeads, nk, dv], values: v), path: path("v.npy"))
    try Data(Self.boolNPY(allowed, shape: [1, 1, nq, nk])).write(
      to: URL(fileURLWithPath: path("m.npy")))
    let result = try AttuneProcess.run(
      [
        "run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy", "--causal",
        "bottom-right", "--bias", "m.npy", "--lse", "lse.npy",
      ], in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("mask    causal bottomRight, bias m.npy"))
    let output = try NPY.read(path: path("o.npy"))
    let lse = try NPY.read(path: path("lse.npy"))
    #expect(output.shape == [batch, heads, nq, dv])
    #expect(lse.shape == [batch, heads, nq])
    let bias = allowed.map { $0 ? Float(0) : -.infinity }
    let maxV = Double(v.map { abs($0) }.max() ?? 1)
    for b in 0..<batch {
      for h in 0..<heads {
        let g = h / (heads / kvHeads)
        let (qi, ki) = (b * heads + h, b * kvHeads + g)
        let head = AttentionShape(queries: nq, keys: nk, headDim: dk, valueDim: dv)
        let inputs = AttentionInputs(
          q: Array(q[(qi * nq * dk)..<((qi + 1) * nq * dk)]),
          k: Array(k[(ki * nk * dk)..<((ki + 1) * nk * dk)]),
          v: Array(v[(ki * nk * dv)..<((ki + 1) * nk * dv)]), shape: head)
        let want = Oracle.attentionAndLogSumExp(
          inputs, scale: Double(head.defaultScale), mask: .causal(.bottomRight), bias: bias)
        let got = Array(output.values[(qi * nq * dv)..<((qi + 1) * nq * dv)])
        #expect(maxAbsoluteError(got, want.output) <= 2e-6 * maxV, "head \(b), \(h)")
        for (row, expected) in want.logSumExp.enumerated() {
          let value = lse.values[qi * nq + row]
          #expect(
            expected == -.infinity
              ? value == -.infinity : abs(Double(value) - expected) <= 1e-5 * max(1, abs(expected)))
        }
      }
    }
  }

  @Test("float16 inputs give a float16 output within one rounding of the oracle")
  func halfPrecisionFiles() throws {
    let directory = try AttuneProcess.temporaryDirectory()
    var generator = SplitMix64(seed: 8)
    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
    // Values that float16 holds exactly, so the oracle sees what attune reads.
    func halves(_ count: Int) -> [Float] {
      draw(count, &generator).map { ($0 * 256).rounded() / 256 }
    }
    let q = halves(heads * nq * dk)
    let k = halves(heads * nk * dk)
    let v = halves(heads * nk * dv)
    try NPY.write(NPYArray(shape: [heads, nq, dk], values: q), path: path("q.npy"), as: .float16)
    try NPY.write(NPYArray(shape: [heads, nk, dk], values: k), path: path("k.npy"), as: .float16)
    try NPY.write(NPYArray(shape: [heads, nk, dv], values: v), path: path("v.npy"), as: .float16)
    let result = try AttuneProcess.run(
      ["run", "--q", "q.npy", "--k", "k.npy", "--v", "v.npy", "--out", "o.npy"], in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("(float16)"))
    let output = try NPY.read(path: path("o.npy"))
    #expect(output.storedType == .float16)
    #expect(output.shape == [heads, nq, dv])
    for h in 0..<heads {
      let head = AttentionShape(queries: nq, keys: nk, headDim: dk, valueDim: dv)
      let inputs = AttentionInputs(
        q: Array(q[(h * nq * dk)..<((h + 1) * nq * dk)]),
        k: Array(k[(h * nk * dk)..<((h + 1) * nk * dk)]),
        v: Array(v[(h * nk * dv)..<((h + 1) * nk * dv)]), shape: head)
      let want = Oracle.attention(inputs, scale: Double(head.defaultScale))
      let got = output.values[(h * nq * dv)..<((h + 1) * nq * dv)]
      for (a, b) in zip(got, want) {
        #expect(abs(Double(a) - b) <= abs(b) * 0x1p-11 + 2e-6)
      }
    }
  }

  /// A version 1.0 `.npy` file of booleans.
  static func boolNPY(_ values: [Bool], shape: [Int]) -> [UInt8] {
    var header =
      "{'descr': '|b1', 'fortran_order': False, 'shape': (\(shape.map(String.init).joined(separator: ", "))), }"
    let padding = (64 - (10 + header.utf8.count + 1) % 64) % 64
    header += String(repeating: " ", count: padding) + "\n"
    let length = header.utf8.count
    return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
      + Array(header.utf8) + values.map { $0 ? 1 : 0 }
  }
}
