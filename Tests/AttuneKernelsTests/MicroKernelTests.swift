import AttuneKernels
import Foundation
import Testing
import _AttuneTestSupport

// Every micro-kernel table, each operation alone against Float64 with sentinels past everything
// it may write, then the `simd` and `fused` kernels on it against the Float64 oracle: one suite
// per instruction set, skipped (and saying so) where this CPU does not run it.

@Suite(
  "AVX-512F micro-kernels",
  .enabled(if: InstructionSet.avx512.isSupported, "this CPU does not run AVX-512F"))
struct AVX512MicroKernelTests {
  @Test(arguments: MicroKernelChecks.Check.allCases)
  func check(_ check: MicroKernelChecks.Check) throws {
    try MicroKernelChecks.run(check, on: .avx512)
  }
}

@Suite(
  "AVX2 + FMA micro-kernels",
  .enabled(if: InstructionSet.avx2.isSupported, "this CPU does not run AVX2 + FMA"))
struct AVX2MicroKernelTests {
  @Test(arguments: MicroKernelChecks.Check.allCases)
  func check(_ check: MicroKernelChecks.Check) throws {
    try MicroKernelChecks.run(check, on: .avx2)
  }
}

@Suite(
  "NEON micro-kernels",
  .enabled(
    if: InstructionSet.neon.isSupported,
    "this CPU does not run NEON (scripts/ci/check_neon_under_qemu.sh tests them under emulation)"))
struct NEONMicroKernelTests {
  @Test(arguments: MicroKernelChecks.Check.allCases)
  func check(_ check: MicroKernelChecks.Check) throws {
    try MicroKernelChecks.run(check, on: .neon)
  }
}

@Suite("portable micro-kernels")
struct PortableMicroKernelTests {
  @Test(arguments: MicroKernelChecks.Check.allCases)
  func check(_ check: MicroKernelChecks.Check) throws {
    try MicroKernelChecks.run(check, on: .portable)
  }
}

/// The choice of table.
struct MicroKernelTests {
  @Test("the table list: portable always, the CPU's best first, unsupported sets refused")
  func dispatch() throws {
    let supported = InstructionSet.supported
    #expect(supported.last == .portable)
    #expect(InstructionSet.best == supported[0])
    #expect(MicroKernelTable.runnable.map(\.instructionSet) == supported)
    // What the CPU reports, read independently of the C probe.
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let flags = Set(
      info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(
        String.init) ?? [])
    #if arch(x86_64)
      if flags.contains("avx512f") {
        #expect(InstructionSet.best == .avx512)
      } else if flags.contains("avx2") && flags.contains("fma") {
        #expect(InstructionSet.best == .avx2)
      } else if !flags.isEmpty {
        #expect(InstructionSet.best == .portable)
      }
      #expect(!InstructionSet.neon.isSupported)
      #expect(
        throws: AttentionError.unsupportedInstructionSet(
          name: "neon", supported: supported.map(\.rawValue))
      ) {
        try MicroKernelTable.resolve(.neon)
      }
    #elseif arch(arm64)
      #expect(InstructionSet.best == .neon)
      #expect(!InstructionSet.avx2.isSupported && !InstructionSet.avx512.isSupported)
    #endif
    #expect(throws: AttentionError.self) { try InstructionSet(parsing: "sse9") }
    #expect(try InstructionSet(parsing: "AVX2") == .avx2)
  }

  @Test("an instruction set this CPU lacks is one clear error from attention")
  func refusesUnsupported() throws {
    guard let missing = InstructionSet.allCases.first(where: { !$0.isSupported }) else { return }
    let shape = AttentionShape(queries: 3, keys: 5, headDim: 4)
    let inputs = try AttentionInputs.random(shape: shape, seed: 1)
    #expect(throws: AttentionError.self) {
      try inputs.run(FusedAttention(), options: AttentionOptions(instructionSet: missing))
    }
  }
}

/// The checks each instruction set's suite runs on its table.
enum MicroKernelChecks {
  enum Check: String, CaseIterable, Sendable {
    case scores, products, decode, rowPasses, softmaxBackward, kernels, widen, narrow
  }

  static let sentinel: Float = 12345

  /// Calls `body` with a lead (`attune_lead`) of an odd number of bytes and scales in buffers of
  /// their own, then checks that the kernel left them as they were: a lead is only asked for.
  static func withLead(_ body: (UnsafeRawPointer) -> Void) {
    var rows = [UInt8](repeating: 0xA5, count: 3001)
    var scales = [Float](repeating: 1.5, count: 77)
    rows.withUnsafeMutableBytes { r in
      scales.withUnsafeMutableBytes { f in
        MicroKernelTable.withLead(
          rows: r.baseAddress, rowBytes: r.count, scales: f.baseAddress, scaleBytes: f.count, body)
      }
    }
    #expect(rows.allSatisfy { $0 == 0xA5 } && scales.allSatisfy { $0 == 1.5 }, "a lead was written")
  }

  static func run(_ check: Check, on instructionSet: InstructionSet) throws {
    let table = try #require(MicroKernelTable.entry(instructionSet))
    switch check {
    case .scores:
      for dk in [1, 7, 16, 63, 64, 65, 130, 576, 1024] { scores(table, dk: dk) }
    case .products: products(table)
    case .softmaxBackward:
      for columns in [1, 7, 8, 9, 16, 17, 33, 64] { softmaxBackward(table, columns: columns) }
    case .decode: decode(table)
    case .rowPasses:
      for count in [0, 1, 7, 8, 15, 16, 17, 31, 33, 100] { rowPasses(table, count: count) }
    case .kernels: try kernels(table)
    case .widen: widen(table)
    case .narrow:
      narrow(table)
      narrowNonFinite(table)
      narrowProductsNonFinite(table)
    }
  }

  /// A Float64 bound for a Float32 sum of `terms` products summed in chunks of 64: each result is
  /// off by at most `(min(terms, 64) + ⌈terms / 64⌉ + 1) · u · Σ|products|` (u = 2⁻²⁴; here
  /// twice that).
  static func bound(terms: Int, magnitude: Double) -> Double {
    Double(min(terms, 64) + (terms + 63) / 64 + 1) * Double(Float.ulpOfOne) * magnitude
  }

  /// Scores against Float64 dot products; nothing written past the panel or the rows; with a
  /// row-maximum buffer (every other row count), each lane's maximum folded in, NaN left out.
  static func scores(_ table: MicroKernelTable, dk: Int) {
    var generator = SplitMix64(seed: UInt64(dk) &+ 11)
    do {
      let (keys, lanes) = (table.panelKeys, table.lanes)
      let ldq = dk + 3
      let lds = keys + 5
      let panel = (0..<(dk * keys)).map { _ in generator.nextGaussian() }
      let most = 2 * table.scoreRows + 1  // several register tiles, the last one partial
      for rows in 1...most {
        var q = (0..<(rows * ldq)).map { _ in generator.nextGaussian() }
        if rows > 1 { q[ldq] = .nan }  // row 1's scores are all NaN
        var s = [Float](repeating: Self.sentinel, count: (most + 1) * lds)
        // Row r's lanes start at −∞, at a score-sized value, or above every score.
        let folds = rows % 2 == 0
        var rowMax = [Float](repeating: Self.sentinel, count: (most + 1) * lanes)
        for i in 0..<(rows * lanes) {
          rowMax[i] = [-Float.infinity, generator.nextGaussian(), 1e30][i % 3]
        }
        let initial = rowMax
        q.withUnsafeBufferPointer { q in
          panel.withUnsafeBufferPointer { p in
            s.withUnsafeMutableBufferPointer { s in
              rowMax.withUnsafeMutableBufferPointer { m in
                table.scores(
                  q.baseAddress, ldq, rows, p.baseAddress, dk, s.baseAddress, lds,
                  folds ? m.baseAddress : nil)
              }
            }
          }
        }
        for i in 0..<rowMax.count {
          let (r, lane) = (i / lanes, i % lanes)
          var want = initial[i]
          if folds && r < rows {
            for j in stride(from: lane, to: keys, by: lanes) where s[r * lds + j] > want {
              want = s[r * lds + j]
            }
          }
          #expect(rowMax[i] == want, "\(table.name) rows \(rows) dk \(dk): row max [\(r)][\(lane)]")
        }
        for r in 0...most {
          for j in 0..<lds {
            let got = s[r * lds + j]
            guard r < rows, j < keys else {
              #expect(
                got == Self.sentinel, "\(table.name) rows \(rows) dk \(dk): wrote [\(r)][\(j)]")
              continue
            }
            guard r != 1 else {
              #expect(got.isNaN, "\(table.name) rows \(rows) dk \(dk): s[1][\(j)] of NaN")
              continue
            }
            var want = 0.0
            var magnitude = 0.0
            for c in 0..<dk {
              let product = Double(q[r * ldq + c]) * Double(panel[c * keys + j])
              want += product
              magnitude += abs(product)
            }
            #expect(
              abs(Double(got) - want) <= Self.bound(terms: dk, magnitude: magnitude),
              "\(table.name) rows \(rows) dk \(dk): s[\(r)][\(j)] = \(got), want \(want)")
          }
        }
      }
    }
  }

  /// Products add Float64 sums to the accumulator and write only its columns.
  static func products(_ table: MicroKernelTable) {
    var generator = SplitMix64(seed: 3)
    do {
      let lanes = table.lanes
      for columns in [lanes, 2 * lanes, 3 * lanes, 8 * lanes, 9 * lanes] {
        for count in [1, 5, 33] {
          let ldp = count + 2
          let ldv = columns + lanes
          let ldacc = columns + lanes
          let most = 2 * table.productRows + 1
          let p = (0..<(most * ldp)).map { _ in abs(generator.nextGaussian()) }
          // P transposed, for `productsTransposed`: row j holds p[0...most - 1][j].
          let ldt = most + 3
          var pT = [Float](repeating: .nan, count: count * ldt)
          for r in 0..<most {
            for j in 0..<count { pT[j * ldt + r] = p[r * ldp + j] }
          }
          let v = (0..<(count * ldv)).map { _ in generator.nextGaussian() }
          // Every row count three ways: streaming (decoding) takes another path for a few rows;
          // -1 is `productsTransposed`.
          let runs = (1...most).flatMap { rows -> [(Int, Int32)] in
            [(rows, 0), (rows, 1), (rows, -1)]
          }
          for (rows, streaming) in runs {
            var acc = [Float](repeating: Self.sentinel, count: (most + 1) * ldacc)
            for r in 0..<rows {
              for c in 0..<columns { acc[r * ldacc + c] = generator.nextGaussian() }
            }
            let before = acc
            p.withUnsafeBufferPointer { p in
              pT.withUnsafeBufferPointer { pT in
                v.withUnsafeBufferPointer { v in
                  acc.withUnsafeMutableBufferPointer { a in
                    if streaming < 0 {
                      table.productsTransposed(
                        pT.baseAddress, ldt, rows, v.baseAddress, ldv, count, columns,
                        a.baseAddress, ldacc)
                    } else {
                      table.products(
                        p.baseAddress, ldp, rows, v.baseAddress, ldv, count, columns,
                        a.baseAddress, ldacc, streaming)
                    }
                  }
                }
              }
            }
            for r in 0...most {
              for c in 0..<ldacc {
                let got = acc[r * ldacc + c]
                guard r < rows, c < columns else {
                  #expect(got == before[r * ldacc + c], "\(table.name): wrote [\(r)][\(c)]")
                  continue
                }
                var want = Double(before[r * ldacc + c])
                var magnitude = abs(want)
                for j in 0..<count {
                  let product = Double(p[r * ldp + j]) * Double(v[j * ldv + c])
                  want += product
                  magnitude += abs(product)
                }
                #expect(
                  abs(Double(got) - want) <= Double(count + 2) * Double(Float.ulpOfOne) * magnitude,
                  "\(table.name) rows \(rows) streaming \(streaming) count \(count) columns \(columns): [\(r)][\(c)]"
                )
              }
            }
          }
        }
      }
    }
  }

  /// Decode scores against Float64, exactly their keys written, over several key groups.
  static func decode(_ table: MicroKernelTable) {
    var generator = SplitMix64(seed: 5)
    do {
      for dk in [1, 3, 8, 15, 16, 17, 64, 65, 128, 130] {
        let ldk = dk + 1
        let lds = 3 * table.decodeKeys + 4
        for rows in 1...table.decodeRows {
          for keys in 1...(3 * table.decodeKeys + 1) {
            let q = (0..<(rows * dk)).map { _ in generator.nextGaussian() }
            let k = (0..<(keys * ldk)).map { _ in generator.nextGaussian() }
            var s = [Float](repeating: Self.sentinel, count: (table.decodeRows + 1) * lds)
            q.withUnsafeBufferPointer { q in
              k.withUnsafeBufferPointer { k in
                s.withUnsafeMutableBufferPointer { s in
                  table.decode(
                    q.baseAddress, dk, Int32(rows), k.baseAddress, ldk, keys, dk, s.baseAddress,
                    lds)
                }
              }
            }
            for r in 0...table.decodeRows {
              for j in 0..<lds {
                let got = s[r * lds + j]
                guard r < rows, j < keys else {
                  #expect(got == Self.sentinel, "\(table.name) decode: wrote [\(r)][\(j)]")
                  continue
                }
                var want = 0.0
                var magnitude = 0.0
                for c in 0..<dk {
                  let product = Double(q[r * dk + c]) * Double(k[j * ldk + c])
                  want += product
                  magnitude += abs(product)
                }
                #expect(
                  abs(Double(got) - want) <= Double(dk + 16) * Double(Float.ulpOfOne) * magnitude,
                  "\(table.name) decode rows \(rows) keys \(keys) dk \(dk): [\(r)][\(j)]")
              }
            }
          }
        }
      }
    }
  }

  /// The KV cache's widening: every half bit pattern to its exact value, and 8-bit rows times
  /// their block scales (one rounding), in rows of tail widths; nothing written past a row.
  static func widen(_ table: MicroKernelTable) {
    var generator = SplitMix64(seed: 17)
    for columns in [1, 7, 8, 15, 16, 31, 32, 33, 64, 65, 130] {
      let rows = 3
      let (ldSource, ldDestination) = (columns + 3, columns + 5)
      for start in stride(from: 0, to: 1 << 16, by: rows * ldSource) {
        let half = (0..<(rows * ldSource)).map { UInt16(truncatingIfNeeded: start + $0) }
        var out = [Float](repeating: Self.sentinel, count: rows * ldDestination)
        half.withUnsafeBufferPointer { h in
          out.withUnsafeMutableBufferPointer { o in
            table.widenHalf(h.baseAddress, ldSource, rows, columns, o.baseAddress, ldDestination)
          }
        }
        for r in 0..<rows {
          for c in 0..<ldDestination {
            let got = out[r * ldDestination + c]
            guard c < columns else {
              #expect(got == Self.sentinel, "\(table.name) widenHalf wrote [\(r)][\(c)]")
              continue
            }
            let want = halfValue(half[r * ldSource + c])
            #expect(
              got == want || (got.isNaN && want.isNaN),
              "\(table.name) widenHalf \(half[r * ldSource + c]): \(got), not \(want)")
          }
        }
      }
      let blocks = (columns + 31) / 32
      let bytes = (0..<(rows * ldSource)).map { _ in Int8(truncatingIfNeeded: generator.next()) }
      let scales = (0..<(rows * blocks)).map { _ in abs(generator.nextGaussian()) / 127 }
      var out = [Float](repeating: Self.sentinel, count: rows * ldDestination)
      bytes.withUnsafeBufferPointer { b in
        scales.withUnsafeBufferPointer { s in
          out.withUnsafeMutableBufferPointer { o in
            table.widenInt8(
              b.baseAddress, ldSource, s.baseAddress, rows, columns, o.baseAddress, ldDestination)
          }
        }
      }
      for r in 0..<rows {
        for c in 0..<ldDestination {
          let got = out[r * ldDestination + c]
          let want =
            c < columns
            ? scales[r * blocks + c / 32] * Float(bytes[r * ldSource + c]) : Self.sentinel
          #expect(got == want, "\(table.name) widenInt8 columns \(columns): [\(r)][\(c)]")
        }
      }
    }
  }

  /// Decoding straight from 16- and 8-bit storage, with each kernel the table has: scores
  /// (8-bit keys in groups of `ATTUNE_I8_KEY_GROUP` along the lanes) and products (rows) against
  /// Float64 on the widened values, in tail widths, partial and whole groups and every row count;
  /// nothing written past a row of scores or past `columns` of the accumulators, and the lanes of
  /// a last group past `keys` (scales of 1e30) never reach a score.
  static func narrow(_ table: MicroKernelTable) {
    let group = PageGeometry.int8KeyGroup
    var generator = SplitMix64(seed: 23)
    for d in [1, 7, 8, 31, 32, 33, 64, 65, 96, 128, 130, 1030] {
      let blocks = (d + 31) / 32
      for rows in 1...table.decodeRows {
        for keys in [1, 2, 5, 8, 9, 16, 17, 23, 33, 70] {
          let q = (0..<(rows * d)).map { _ in generator.nextGaussian() }
          let half = (0..<(keys * d)).map { _ in HalfPrecision.bits(generator.nextGaussian()) }
          let bytes = (0..<(keys * d)).map { _ in Int8(truncatingIfNeeded: generator.next() % 255) }
          let scales = (0..<(keys * blocks)).map { _ in abs(generator.nextGaussian()) / 127 }
          // The 8-bit keys grouped, whole groups, with large scales in the lanes past `keys`.
          let padded = (keys + group - 1) / group * group
          var groupedBytes = (0..<(padded * d)).map { _ in
            Int8(truncatingIfNeeded: generator.next())
          }
          var groupedScales = [Float](repeating: 1e30, count: padded * blocks)
          for j in 0..<keys {
            let (first, lane) = (j / group * group, j % group)
            for c in 0..<d { groupedBytes[(first * d) + c * group + lane] = bytes[j * d + c] }
            for b in 0..<blocks {
              groupedScales[first * blocks + b * group + lane] = scales[j * blocks + b]
            }
          }
          // Row j of each storage, widened in Float64.
          let wide: [[Double]] = [
            half.map { Double(HalfPrecision.value($0)) },
            bytes.indices.map { i in
              Double(scales[(i / d) * blocks + (i % d) / 32]) * Double(bytes[i])
            },
          ]
          for (kind, k) in wide.enumerated() {
            let lds = keys + 3
            var s = [Float](repeating: Self.sentinel, count: (rows + 1) * lds)
            var decoded = false
            q.withUnsafeBufferPointer { q in
              s.withUnsafeMutableBufferPointer { s in
                if kind == 0, let decodeHalf = table.decodeHalf {
                  half.withUnsafeBufferPointer { h in
                    decodeHalf(
                      q.baseAddress, d, Int32(rows), h.baseAddress, d, keys, d, s.baseAddress, lds)
                  }
                  decoded = true
                } else if kind == 1, let decodeInt8 = table.decodeInt8 {
                  groupedBytes.withUnsafeBufferPointer { b in
                    groupedScales.withUnsafeBufferPointer { c in
                      Self.withLead { lead in
                        decodeInt8(
                          q.baseAddress, d, Int32(rows), b.baseAddress, d, c.baseAddress, keys, d,
                          s.baseAddress, lds, lead)
                      }
                    }
                  }
                  decoded = true
                }
              }
            }
            for r in 0...rows where decoded {
              for j in 0..<lds {
                let got = s[r * lds + j]
                guard r < rows, j < keys else {
                  #expect(
                    got == Self.sentinel, "\(table.name) narrow decode \(kind): wrote [\(r)][\(j)]")
                  continue
                }
                var (want, magnitude) = (0.0, 0.0)
                for c in 0..<d {
                  want += Double(q[r * d + c]) * k[j * d + c]
                  magnitude += abs(Double(q[r * d + c]) * k[j * d + c])
                }
                // A kernel that rounds each query row to 8 bits per block of 32 features first
                // (units of the block's max|q| / 127) moves each product by at most half a unit
                // times |k|.
                #expect([0, 8].contains(table.decodeInt8QueryBits))
                var rounding = 0.0
                if kind == 1 && table.decodeInt8QueryBits == 8 {
                  for b in stride(from: 0, to: d, by: 32) {
                    let block = b..<min(b + 32, d)
                    let unit = (block.map { abs(Double(q[r * d + $0])) }.max() ?? 0) / 127
                    rounding += unit / 2 * block.reduce(0.0) { $0 + abs(k[j * d + $1]) }
                  }
                }
                #expect(
                  abs(Double(got) - want)
                    <= Double(d + 16) * Double(Float.ulpOfOne) * magnitude + rounding,
                  "\(table.name) narrow decode \(kind) rows \(rows) keys \(keys) d \(d)")
              }
            }
            // Products: P [rows, keys] times the same rows as values, columns = d.
            let ldacc = d + 5
            let p = (0..<(rows * keys)).map { _ in abs(generator.nextGaussian()) }
            let start = (0..<(rows * ldacc)).map { _ in generator.nextGaussian() }
            var acc = start
            var multiplied = false
            p.withUnsafeBufferPointer { p in
              acc.withUnsafeMutableBufferPointer { a in
                if kind == 0, let productsHalf = table.productsHalf {
                  half.withUnsafeBufferPointer { h in
                    productsHalf(
                      p.baseAddress, keys, Int32(rows), h.baseAddress, d, keys, d, a.baseAddress,
                      ldacc)
                  }
                  multiplied = true
                } else if kind == 1, let productsInt8 = table.productsInt8 {
                  bytes.withUnsafeBufferPointer { b in
                    scales.withUnsafeBufferPointer { c in
                      Self.withLead { lead in
                        productsInt8(
                          p.baseAddress, keys, Int32(rows), b.baseAddress, d, c.baseAddress, keys,
                          d, a.baseAddress, ldacc, lead)
                      }
                    }
                  }
                  multiplied = true
                }
              }
            }
            for r in 0..<rows where multiplied {
              for c in 0..<ldacc {
                let got = acc[r * ldacc + c]
                guard c < d else {
                  #expect(
                    got == start[r * ldacc + c],
                    "\(table.name) narrow products \(kind): wrote column \(c)")
                  continue
                }
                var (want, magnitude) = (
                  Double(start[r * ldacc + c]), abs(Double(start[r * ldacc + c]))
                )
                for j in 0..<keys {
                  want += Double(p[r * keys + j]) * k[j * d + c]
                  magnitude += abs(Double(p[r * keys + j]) * k[j * d + c])
                }
                // A kernel that rounds the weights p · scale to fixed point (units of max p ·
                // max scale / (2^bits − 1) per group of keys) moves each by at most half a unit,
                // times |byte| ≤ 128.
                var rounding = 0.0
                if kind == 1, table.productsInt8WeightBits > 0 {
                  #expect(table.productsInt8WeightBits == 15 && table.productsInt8WeightKeys == 32)
                  let (size, levels) = (
                    table.productsInt8WeightKeys,
                    Double((1 << table.productsInt8WeightBits) - 1)
                  )
                  for first in stride(from: 0, to: keys, by: size) {
                    let group = first..<min(keys, first + size)
                    let largestP = group.map { Double(p[r * keys + $0]) }.max() ?? 0
                    let largestScale = group.map { Double(scales[$0 * blocks + c / 32]) }.max() ?? 0
                    rounding += Double(group.count) * largestP * largestScale * 128 / (2 * levels)
                  }
                }
                #expect(
                  abs(Double(got) - want)
                    <= Double(keys + 4) * Double(Float.ulpOfOne) * magnitude + rounding,
                  "\(table.name) narrow products \(kind) rows \(rows) keys \(keys) d \(d)")
              }
            }
          }
        }
      }
    }
  }

  /// The 8-bit key kernel on a query row holding a NaN or an infinity: that row's scores are not
  /// finite (a kernel that rounds queries to fixed point must not round them away) and the other
  /// rows' are as without it.
  static func narrowNonFinite(_ table: MicroKernelTable) {
    guard let decodeInt8 = table.decodeInt8, table.decodeRows >= 2 else { return }
    let (d, keys, group) = (40, 21, PageGeometry.int8KeyGroup)
    let padded = (keys + group - 1) / group * group
    var generator = SplitMix64(seed: 29)
    let bytes = (0..<(padded * d)).map { _ in Int8(truncatingIfNeeded: generator.next() % 255) }
    let scales = (0..<(padded * 2)).map { _ in Float(0.01) }
    for bad in [Float.nan, .infinity, -.infinity] {
      var q = (0..<(2 * d)).map { _ in generator.nextGaussian() }
      var s = [[Float]](repeating: [], count: 2)
      for (run, value) in [(0, q[7]), (1, bad)] {
        q[7] = value
        var out = [Float](repeating: Self.sentinel, count: 2 * keys)
        q.withUnsafeBufferPointer { q in
          out.withUnsafeMutableBufferPointer { o in
            bytes.withUnsafeBufferPointer { b in
              scales.withUnsafeBufferPointer { f in
                decodeInt8(
                  q.baseAddress, d, 2, b.baseAddress, d, f.baseAddress, keys, d, o.baseAddress,
                  keys, nil)
              }
            }
          }
        }
        s[run] = out
      }
      #expect(
        s[1][0..<keys].allSatisfy { !$0.isFinite },
        "\(table.name) decodeInt8: a query holding \(bad) gave finite scores")
      // The same within the query rounding's bound (a kernel may fall back to Float32 queries
      // for the whole call): half a unit (the block's max|q| / 127) times Σ|k| over the block,
      // |k| ≤ 1.27.
      var bound = 1e-4
      if table.decodeInt8QueryBits == 8 {
        for b in stride(from: d, to: 2 * d, by: 32) {
          let block = b..<min(b + 32, 2 * d)
          let largest = block.map { abs(Double(q[$0])) }.max() ?? 0
          bound += largest / 254 * 1.27 * Double(block.count)
        }
      }
      #expect(
        zip(s[1][keys...], s[0][keys...]).allSatisfy { abs(Double($0) - Double($1)) <= bound },
        "\(table.name) decodeInt8: a non-finite query changed another row's scores")
    }
  }

  /// The 8-bit value kernel with a NaN or an infinity among one row's weights: that row's sums
  /// are not finite (a kernel that rounds the weights to fixed point must not round them away)
  /// and the other row's are as without it. Two groups of keys (for kernels that round the
  /// weights a group at a time), 128 columns (whole 64-column strips).
  static func narrowProductsNonFinite(_ table: MicroKernelTable) {
    guard let productsInt8 = table.productsInt8, table.decodeRows >= 2 else { return }
    let (d, keys) = (128, 45)
    var generator = SplitMix64(seed: 31)
    let bytes = (0..<(keys * d)).map { _ in Int8(truncatingIfNeeded: generator.next() % 255) }
    let scales = (0..<(keys * 4)).map { _ in Float(0.01) * (1 + abs(generator.nextGaussian())) }
    for bad in [Float.nan, .infinity] {
      var p = (0..<(2 * keys)).map { _ in abs(generator.nextGaussian()) }
      var sums = [[Float]](repeating: [], count: 2)
      for (run, value) in [(0, p[keys + 40]), (1, bad)] {
        p[keys + 40] = value
        var acc = [Float](repeating: 0, count: 2 * d)
        p.withUnsafeBufferPointer { p in
          acc.withUnsafeMutableBufferPointer { a in
            bytes.withUnsafeBufferPointer { b in
              scales.withUnsafeBufferPointer { f in
                productsInt8(
                  p.baseAddress, keys, 2, b.baseAddress, d, f.baseAddress, keys, d, a.baseAddress,
                  d, nil)
              }
            }
          }
        }
        sums[run] = acc
      }
      #expect(
        sums[1][d...].allSatisfy { !$0.isFinite },
        "\(table.name) productsInt8: a weight of \(bad) gave finite sums")
      // The same within the weights' rounding (a kernel may fall back to Float32 weights for
      // the group): at most 32 · max p · max scale · 128 / 65534 ≈ 0.005 a group.
      #expect(
        zip(sums[1][..<d], sums[0][..<d]).allSatisfy { abs($0 - $1) <= 2e-2 },
        "\(table.name) productsInt8: a non-finite weight changed another row's sums")
    }
  }

  /// A half's value from its bits, by the IEEE definition.
  static func halfValue(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int(bits >> 10) & 0x1f
    let mantissa = Float(bits & 0x3ff)
    switch exponent {
    case 0: return sign * mantissa * Float(sign: .plus, exponent: -24, significand: 1)
    case 0x1f: return mantissa == 0 ? sign * .infinity : .nan
    default:
      return sign * (1 + mantissa / 1024)
        * Float(sign: .plus, exponent: exponent - 15, significand: 1)
    }
  }

  /// The row passes (scale and max, exp and sum, multiply) touch exactly `count` entries.
  static func rowPasses(_ table: MicroKernelTable, count: Int) {
    var generator = SplitMix64(seed: UInt64(count) &+ 99)
    let pad = 20
    do {
      for withBias in [false, true] {
        var row = (0..<count).map { _ in 30 * generator.nextGaussian() }
        if count > 3 {
          row[1] = -.infinity  // a hidden key
          row[2] = .nan  // never the maximum
        }
        let bias = (0..<count).map { _ in generator.nextGaussian() }
        let scale: Float = 0.37
        var buffer = row + [Float](repeating: Self.sentinel, count: pad)
        let best = buffer.withUnsafeMutableBufferPointer { b in
          bias.withUnsafeBufferPointer { bias in
            table.scaleMax(b.baseAddress, withBias ? bias.baseAddress : nil, count, scale)
          }
        }
        var wantMax = -Float.infinity
        for j in 0..<count {
          let want = row[j] * scale + (withBias ? bias[j] : 0)
          #expect(
            buffer[j] == want || (buffer[j].isNaN && want.isNaN)
              || abs(buffer[j] - want) <= 2 * want.ulp,
            "\(table.name) scaleMax [\(j)]")
          if want > wantMax { wantMax = want }
        }
        #expect(abs(best - wantMax) <= 2 * wantMax.ulp || best == wantMax, "\(table.name) max")
        #expect(buffer[count...].allSatisfy { $0 == Self.sentinel }, "\(table.name) scaleMax tail")

        // The exponentials with the scale folded in, from the raw row: e^(x · scale − best),
        // the argument rounded once (as the reference rounds its Float64 one to Float32). Without
        // a bias, `best` is the largest x · scale.
        if !withBias {
          var folded = row + [Float](repeating: Self.sentinel, count: pad)
          let foldedSum = folded.withUnsafeMutableBufferPointer {
            table.expSum($0.baseAddress, count, best, scale)
          }
          var wantFolded = 0.0
          for j in 0..<count {
            let argument = Float(Double(row[j]) * Double(scale) - Double(best))
            if argument.isNaN {
              #expect(folded[j].isNaN, "\(table.name) folded exp of NaN")
              continue
            }
            let want = OracleMath.exp(Double(argument))
            wantFolded += want
            // The portable entry rounds the product and the difference apart (measured: 2e-6
            // relative at an argument of −24.5): an argument off by an ulp of each.
            let product = abs(Double(row[j]) * Double(scale))
            let rounding = 2 * Double(Float.ulpOfOne) * (product + abs(Double(argument)))
            let tolerance = want < 1e-37 ? 1.2e-38 : (4e-7 + rounding) * want
            #expect(
              abs(Double(folded[j]) - want) <= tolerance,
              "\(table.name) folded exp [\(j)] of \(argument): got \(folded[j]), want \(want)")
          }
          if count <= 3 {
            #expect(abs(Double(foldedSum) - wantFolded) <= 1e-6 * max(wantFolded, 1))
          } else {
            #expect(foldedSum.isNaN, "\(table.name): a NaN entry makes the folded sum NaN")
          }
          #expect(folded[count...].allSatisfy { $0 == Self.sentinel }, "\(table.name) folded tail")
        }

        let scaled = buffer
        let sum = buffer.withUnsafeMutableBufferPointer {
          table.expSum($0.baseAddress, count, best, 1)
        }
        var wantSum = 0.0
        for j in 0..<count {
          // The passes subtract in Float32, as the reference does: exp's accuracy is the question.
          let x = Double(scaled[j] - best)
          let want = x.isNaN ? Double.nan : OracleMath.exp(x)
          if x.isNaN {
            #expect(buffer[j].isNaN, "\(table.name) exp of NaN")
            continue
          }
          wantSum += want
          let tolerance = want < 1e-37 ? 1.2e-38 : 4e-7 * want
          #expect(abs(Double(buffer[j]) - want) <= tolerance, "\(table.name) exp [\(j)] of \(x)")
        }
        if count <= 3 {
          #expect(abs(Double(sum) - wantSum) <= 1e-6 * max(wantSum, 1), "\(table.name) sum")
        } else {
          #expect(sum.isNaN, "\(table.name): a NaN entry makes the sum NaN")
        }
        #expect(buffer[count...].allSatisfy { $0 == Self.sentinel }, "\(table.name) expSum tail")

        var accumulator =
          (0..<count).map { _ in generator.nextGaussian() }
          + [Float](repeating: Self.sentinel, count: pad)
        let original = accumulator
        accumulator.withUnsafeMutableBufferPointer { table.multiply($0.baseAddress, count, 0.25) }
        for j in 0..<(count + pad) {
          #expect(
            accumulator[j] == (j < count ? original[j] * 0.25 : Self.sentinel),
            "\(table.name) multiply [\(j)]")
        }
      }
    }
  }

  /// The backward's softmax step on tiles of 1 to 13 rows against Float64: P as the exponential
  /// of the argument rounded once (within the exp passes' 4e-7 and that rounding), dS from it,
  /// both exactly 0 where a key is hidden (−∞, whatever dP is there, even ∞) and on a row that
  /// sees nothing; nothing past `columns` written.
  static func softmaxBackward(_ table: MicroKernelTable, columns: Int) {
    var generator = SplitMix64(seed: UInt64(columns) &+ 41)
    let ld = columns + 3
    for rows in [1, 5, 8, 13] {
      var s = [Float](repeating: Self.sentinel, count: rows * ld)
      var dp = [Float](repeating: Self.sentinel, count: rows * ld)
      var scale = [Float](repeating: 1, count: rows)
      var shift = [Float](repeating: 0, count: rows)
      var dot = [Float](repeating: 0, count: rows)
      for r in 0..<rows {
        scale[r] = r % 2 == 0 ? 0.37 : 1
        dot[r] = generator.nextGaussian()
        var largest = -Float.infinity
        for j in 0..<columns {
          s[r * ld + j] = 20 * generator.nextGaussian()
          dp[r * ld + j] = 3 * generator.nextGaussian()
          largest = max(largest, s[r * ld + j] * scale[r])
        }
        if columns > 2 && r % 3 == 1 {
          s[r * ld + 1] = -.infinity  // a hidden key, with a gradient that must not leak
          dp[r * ld + 1] = .infinity
        }
        // The log-sum-exp is at least the row's largest scaled score.
        shift[r] = largest + abs(generator.nextGaussian())
        if r == 4 {  // a row that sees no key
          for j in 0..<columns { s[r * ld + j] = -.infinity }
          shift[r] = 0
        }
      }
      let (s0, dp0) = (s, dp)
      s.withUnsafeMutableBufferPointer { s in
        dp.withUnsafeMutableBufferPointer { dp in
          table.softmaxBackward(
            s.baseAddress, dp.baseAddress, ld, rows, columns, scale, shift, dot)
        }
      }
      for r in 0..<rows {
        for j in 0..<ld {
          let i = r * ld + j
          guard j < columns else {
            #expect(
              s[i] == Self.sentinel && dp[i] == Self.sentinel, "\(table.name): wrote [\(r)][\(j)]")
            continue
          }
          let product = Double(s0[i]) * Double(scale[r])
          let argument = Float(product - Double(shift[r]))
          guard argument > -.infinity else {
            #expect(s[i] == 0 && dp[i] == 0, "\(table.name) hidden [\(r)][\(j)]: \(s[i]), \(dp[i])")
            continue
          }
          let want = OracleMath.exp(Double(argument))
          let rounding = 2 * Double(Float.ulpOfOne) * (abs(product) + abs(Double(argument)))
          let pError = want < 1e-37 ? 1.2e-38 : (4e-7 + rounding) * want
          #expect(
            abs(Double(s[i]) - want) <= pError,
            "\(table.name) rows \(rows) columns \(columns) P[\(r)][\(j)]: \(s[i]), want \(want)")
          let difference = Double(dp0[i]) - Double(dot[r])
          let wantGradient = want * difference
          let gradientError =
            pError * abs(difference) + 3 * Double(Float.ulpOfOne) * abs(wantGradient) + 1e-44
          #expect(
            abs(Double(dp[i]) - wantGradient) <= gradientError,
            "\(table.name) rows \(rows) columns \(columns) dS[\(r)][\(j)]: \(dp[i]), want \(wantGradient)"
          )
        }
      }
    }
  }

  static let shapes: [AttentionShape] = [
    (1, 1, 1, 1), (7, 63, 3, 72), (63, 65, 64, 64), (64, 64, 7, 17), (65, 1000, 64, 64),
    (1000, 7, 128, 128), (5, 300, 576, 512), (33, 129, 1024, 40),
  ].map { AttentionShape(queries: $0.0, keys: $0.1, headDim: $0.2, valueDim: $0.3) }

  /// `simd` and `fused` on the table match the Float64 oracle and write nothing past O.
  static func kernels(_ table: MicroKernelTable) throws {
    let kernels: [any AttentionKernel] = [
      try SIMDAttention(blockSize: 48, threads: 2), FusedAttention(),
      try FusedAttention(blockQ: 5, blockK: 33, threads: 2),
      try FusedAttention(blockQ: 77, blockK: 1000, threads: 2),
    ]
    do {
      for shape in Self.shapes {
        for data in [Problem.Data.random, .largeLogits] {
          let problem = Problem(shape: shape, data: data, seed: UInt64(shape.keys * 7 + 1))
          let want = problem.oracle()
          let bound = 2e-6 * problem.maxAbsValue
          for kernel in kernels {
            var options = problem.options
            options.instructionSet = table.instructionSet
            var output = [Float](repeating: Self.sentinel, count: shape.outputCount + 40)
            try problem.inputs.q.withUnsafeBufferPointer { q in
              try problem.inputs.k.withUnsafeBufferPointer { k in
                try problem.inputs.v.withUnsafeBufferPointer { v in
                  try output.withUnsafeMutableBufferPointer { o in
                    try attention(
                      q: q, k: k, v: v, shape: shape,
                      into: UnsafeMutableBufferPointer(rebasing: o[0..<shape.outputCount]),
                      kernel: kernel, options: options)
                  }
                }
              }
            }
            let label = "\(table.name) \(kernel.configurationDescription) on \(shape) \(data)"
            let error = maxAbsoluteError(Array(output[0..<shape.outputCount]), want)
            #expect(error <= bound, "\(label): max error \(error) > \(bound)")
            #expect(
              output[shape.outputCount...].allSatisfy { $0 == Self.sentinel },
              "\(label): wrote past O")
          }
        }
      }
    }
  }
}
