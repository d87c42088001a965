import AttuneBench
import AttuneStats
import AttuneTuner

extension HTMLReport {
  /// The tuning run whose choice the page recommends: the race (the strategy that states an error
  /// guarantee), else the first run that chose.
  func recommendedTuning() -> TuningRecord? {
    data.tuning.first { $0.outcome.strategy == "race" && $0.outcome.choice != nil }
      ?? data.tuning.first { $0.outcome.choice != nil }
  }

  /// The first section: what to use on this machine, how fast it is here, and how to keep it.
  func recommendationSection() -> String {
    var html = ""
    let rows = comparisonRows()
    let best = fastestRows(rows)
    let baseline = data.comparison.baselineKernel
    let recommended = recommendedTuning()
    if let record = recommended, let label = record.outcome.choiceLabel {
      let shape = record.shape
      html += "<p class=\"answer\">Use <strong>\(Markup.escape(record.kernel))</strong> with "
      html += "<strong>\(Markup.escape(label))</strong> at N = \(shape.queries), d = "
      html += "\(shape.headDim): the \(Markup.escape(record.outcome.strategy)) tuner's choice "
      html += "(\(Markup.escape(record.outcome.confidence))).</p>\n"
    }
    // The tuned kernel's speed at the comparison's largest size, and the fastest kernel there.
    let tuned = recommended?.kernel ?? "fused"
    if let size = rows.map(\.size).max(), let row = best[tuned]?[size] {
      let s = row.statistics
      var text =
        "Measured here at N = \(size): \(row.entry.label) takes \(Self.time(s.medianSeconds)) per call, \(NumberFormat.significant(s.gflops)) GFLOP/s"
      if let speedup = s.speedup, let interval = s.speedupInterval, row.entry.kernel != baseline {
        text +=
          ", \(NumberFormat.significant(speedup))× faster than \(baseline) [\(NumberFormat.significant(interval.lower)), \(NumberFormat.significant(interval.upper))] (\(interval.levelPercent) % interval)"
      }
      html += paragraph(text + ".")
      let fastest = rows.filter { $0.size == size }.min {
        $0.statistics.medianSeconds < $1.statistics.medianSeconds
      }
      if let fastest, fastest.entry.kernel != tuned {
        let ratio = s.medianSeconds / fastest.statistics.medianSeconds
        html += paragraph(
          "The fastest configuration measured at that size is \(fastest.entry.label) (\(Self.time(fastest.statistics.medianSeconds))), \(NumberFormat.significant(ratio)) times \(tuned)'s time: the two share their micro-kernels, and \(tuned) also never builds the N×N matrix, so it is the one recommended and tuned."
        )
      }
    }
    if data.peers == nil {
      html += paragraph(
        "Against NumPy, PyTorch and onnxruntime: attune report --peers run measures them with scripts/bench/peer_benchmark.py (after python3 scripts/bench/peer_benchmark.py --setup), or --peers FILE reads a file written by its --json."
      )
    }
    html += paragraph(
      "To keep a choice for this machine: attune tune --kernel \(tuned) --n N --d D --save measures the block sizes at your shape and saves the winner as wisdom; attune run, attune plan and the library then use it without measuring again (attune wisdom show lists what is saved)."
    )
    return html
  }

  /// Seconds in a readable unit, as `0.42 ms`.
  static func time(_ seconds: Double) -> String {
    let unit = TimeUnit.fitting(seconds)
    return "\(NumberFormat.significant(unit(seconds))) \(unit.symbol)"
  }
}
