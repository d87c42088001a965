import AttuneKernels
import Testing
import _AttuneTestSupport

/// The decode path's scores (K read in place, for at most 4 query rows) on every micro-kernel
/// table this CPU runs, first on their own against Float64 dot products (including what they must
/// not write), then inside the fused kernel against the Float64 oracle with masks, biases, rows
/// that see no key and tails of every width.
struct DirectScoreTests {
  /// The tables to test: every one this CPU runs, the portable one included.
  static var paths: [MicroKernelTable] { MicroKernelTable.runnable }

  @Test(
    "both score micro-kernels match Float64 dot products and write only their keys",
    arguments: [1, 3, 15, 16, 17, 64, 65, 128, 130])
  func microKernels(dk: Int) {
    var generator = SplitMix64(seed: UInt64(dk))
    let sentinel: Float = 12345
    for rows in 1...9 {
      for keys in [1, 2, 3, 4, 5, 7, 8, 33] {
        let q = (0..<(rows * dk)).map { _ in generator.nextGaussian() }
        let k = (0..<(keys * dk)).map { _ in generator.nextGaussian() }
        let lds = keys + 5
        for native in Self.paths {
          var s = [Float](repeating: sentinel, count: rows * lds)
          q.withUnsafeBufferPointer { q in
            k.withUnsafeBufferPointer { k in
              s.withUnsafeMutableBufferPointer { s in
                guard let qBase = q.baseAddress, let kBase = k.baseAddress,
                  let sBase = s.baseAddress
                else { return }
                DirectScores.compute(
                  q: qBase, rows: rows, k: kBase, keys: keys, followingKeys: 0, dk: dk, s: sBase,
                  lds: lds, kernels: native)
              }
            }
          }
          let label = "rows \(rows), keys \(keys), dk \(dk), \(native.name)"
          for r in 0..<rows {
            for j in 0..<lds {
              let got = s[r * lds + j]
              guard j < keys else {
                #expect(got == sentinel, "\(label): wrote past key \(keys) in row \(r)")
                continue
              }
              var want = 0.0
              var magnitude = 0.0
              for c in 0..<dk {
                let product = Double(q[r * dk + c]) * Double(k[j * dk + c])
                want += product
                magnitude += abs(product)
              }
              let bound = Double(dk + 16) * Double(Float.ulpOfOne) * magnitude
              #expect(
                abs(Double(got) - want) <= bound,
                "\(label): s[\(r)][\(j)] = \(got), want \(want)")
            }
          }
        }
      }
    }
  }

  static let shapes: [AttentionShape] = [
    (1, 1, 64), (1, 5, 7), (2, 63, 128), (3, 64, 65), (4, 65, 1), (4, 1000, 128),
    (1, 1000, 64), (3, 1027, 16), (4, 4, 17), (4, 2, 64),
  ].map { AttentionShape(queries: $0.0, keys: $0.1, headDim: $0.2) }

  static let masks: [AttentionMask] = [
    .none, .causal(.bottomRight), .causal(.topLeft),
    .slidingWindow(size: 16, alignment: .bottomRight),
  ]

  @Test("the fused kernel's decode path matches the oracle on both micro-kernels", arguments: masks)
  func decodeAgreesWithTheOracle(mask: AttentionMask) throws {
    for shape in Self.shapes {
      for data in [Problem.Data.random, .largeLogits] {
        for withBias in [false, true] {
          let problem = Problem(shape: shape, data: data, seed: UInt64(shape.keys * 3 + 1))
          // The bias hides every key of row 0 and some others.
          let bias = withBias ? MaskTests.bias(shape, seed: UInt64(shape.keys + 7)) : nil
          let want = Oracle.attentionAndLogSumExp(
            problem.inputs, scale: Double(problem.scale), mask: mask, bias: bias)
          let bound = 2e-6 * problem.maxAbsValue
          for kernel in try MaskTests.configurations() where kernel.name == "fused" {
            for native in Self.paths {
              let (output, lse) = try BFloat16ScoreTests().run(
                kernel, problem.inputs, scale: problem.scale, mask: mask, bias: bias,
                arithmetic: .float32, kernels: native)
              let label =
                "\(kernel.configurationDescription) \(native.name) on \(shape) \(data) \(mask) bias \(withBias)"
              expectAgreement(output, lse, with: want, within: bound, label)
            }
          }
        }
      }
    }
  }
}
