import AttuneStats

extension HTMLReport {
  /// NumPy, PyTorch and onnxruntime against Attune, from `peers.json`: empty without it.
  func peersSection() -> String {
    guard let peers = data.peers else { return "" }
    let versions = [
      ("NumPy", peers.numpy), ("PyTorch", peers.torch), ("onnxruntime", peers.onnxruntime),
    ]
    .compactMap { name, version in version.map { "\(name) \($0)" } }
    var html = paragraph(
      "Measured by scripts/bench/peer_benchmark.py on this machine (\(versions.joined(separator: ", "))): every candidate once per round, in a new random order each round, with the same inputs and threads. The ratio is the candidate's time over Attune's in the same round (above 1: Attune is faster), median over rounds with its distribution-free interval, labelled with the level the rounds reach (95 % from 6); numpy-gemm is the two matrix products alone, no softmax: an sgemm of the same FLOP count."
    )
    for shape in peers.shapes {
      var table = HTMLTable(
        [
          "candidate", "median time", "GFLOP/s", "time / \(shape.reference)'s", "interval",
          "max error",
        ],
        numeric: [1, 2, 3, 4, 5])
      let reference = shape.candidates.first { $0.name == shape.reference }?.seconds ?? []
      for c in shape.candidates {
        // The ratio and its interval from the samples, at the level the rounds reach.
        let ratios = zip(c.seconds, reference).map { $0 / $1 }
        let interval = try? ConfidenceInterval.median(ratios)
        table.add([
          c.name, Self.time(c.median), NumberFormat.significant(c.gflops),
          NumberFormat.significant(c.ratio),
          interval.map {
            "\(NumberFormat.significant($0.lower))–\(NumberFormat.significant($0.upper)) (\($0.levelPercent) %)"
          } ?? "–",
          c.maxError.map { NumberFormat.significant($0, 2) } ?? "–",
        ])
      }
      html += table.html(caption: "N = \(shape.n), d = \(shape.d)")
    }
    return html
  }
}
