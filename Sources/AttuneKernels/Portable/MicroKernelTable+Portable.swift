internal import _AttuneMicroKernels

extension MicroKernelTable {
  /// The portable entry: the micro-kernels in generic Swift SIMD (`PortableKernels`), 4 rows ×
  /// 32 keys, 16 lanes. Runs on any CPU at the speed of the vector code the build targets (SSE2
  /// on a plain x86-64 build, NEON on arm64): the fallback, and a second implementation the tests
  /// hold the C entries against.
  package static let portable = MicroKernelTable(
    instructionSet: .portable, name: "portable 4x32", scoreRows: PortableKernels.scoreRows,
    panelKeys: PortableKernels.panelKeys, productRows: PortableKernels.productRows,
    lanes: vectorWidth, decodeRows: PortableKernels.decodeRows,
    decodeKeys: PortableKernels.decodeKeys, decodeAhead: 8, defaultBlockQ: 64, defaultBlockK: 1024,
    scores: { q, ldq, rows, panel, dk, s, lds, rowMax in
      guard let q, let panel, let s else { return }
      let tile = PortableKernels.scoreRows
      for r in stride(from: 0, to: rows, by: tile) {
        PortableKernels.scores(
          q: q + r * ldq, ldq: ldq, rows: min(tile, rows - r), panel: panel, dk: dk,
          s: s + r * lds, lds: lds)
      }
      if let rowMax {
        // The panel's scores read back from `s` (the fallback; the C entries fold them in
        // registers).
        for r in 0..<rows {
          var best = Vector.load(rowMax + r * vectorWidth)
          for j in stride(from: 0, to: PortableKernels.panelKeys, by: vectorWidth) {
            best = maximum(best, Vector.load(s + r * lds + j))  // a NaN score is left out
          }
          best.store(rowMax + r * vectorWidth)
        }
      }
    },
    products: { p, ldp, rows, v, ldv, count, columns, acc, ldacc, _ in
      guard let p, let v, let acc else { return }
      let tile = PortableKernels.productRows
      for r in stride(from: 0, to: rows, by: tile) {
        PortableKernels.accumulateProducts(
          p: p + r * ldp, ldp: ldp, rows: min(tile, rows - r), v: v, ldv: ldv, count: count,
          columns: columns, acc: acc + r * ldacc, ldacc: ldacc)
      }
    },
    productsTransposed: { p, ldp, rows, v, ldv, count, columns, acc, ldacc in
      guard let p, let v, let acc else { return }
      let tile = PortableKernels.productRows
      for r in stride(from: 0, to: rows, by: tile) {
        PortableKernels.accumulateProducts(
          p: p + r, ldp: 1, keyStride: ldp, rows: min(tile, rows - r), v: v, ldv: ldv,
          count: count, columns: columns, acc: acc + r * ldacc, ldacc: ldacc)
      }
    },
    softmaxBackward: { s, dp, ld, rows, columns, scale, shift, dot in
      guard let s, let dp, let scale, let shift, let dot else { return }
      RowSoftmax.softmaxBackward(
        s, dp, ld: ld, rows: rows, columns: columns, scale: scale, shift: shift, dot: dot)
    },
    decode: { q, ldq, rows, k, ldk, keys, dk, s, lds in
      guard let q, let k, let s else { return }
      var j = 0
      while j < keys {
        PortableKernels.decodeScores(
          q: q, ldq: ldq, rows: Int(rows), k: k + j * ldk, ldk: ldk,
          keys: min(PortableKernels.decodeKeys, keys - j), dk: dk, s: s + j, lds: lds)
        j += PortableKernels.decodeKeys
      }
    },
    scaleMax: { row, bias, count, scale in
      guard let row else { return -.infinity }
      return RowSoftmax.scaleAndMax(row, bias: bias, count: count, scale: scale)
    },
    expSum: { row, count, max, scale in
      guard let row else { return 0 }
      return RowSoftmax.exponentiateAndSum(row, count: count, rowMax: max, scale: scale)
    },
    multiply: { row, count, factor in
      guard let row else { return }
      RowSoftmax.multiply(row, count: count, by: factor)
    },
    // One element at a time, in portable C (`Half.c`): the cache's rows, widened.
    widenHalf: attune_f16_widen_portable, widenInt8: attune_i8_widen_portable)
}
