import AttuneTuner

extension HTMLReport {
  func tuningSection() -> String {
    guard let first = data.tuning.first else { return "" }
    var html = paragraph(
      "Each strategy tuned the \(first.kernel) kernel's block size at \(first.shape) over \(first.candidates.joined(separator: ", ")), on the same random inputs, one after the other. Graphs 1 and 2 of the report showed the measurements per round for the grid (constant: every candidate each round) and the adaptive method (shrinking as candidates drop); the race is Attune's."
    )
    html += "<div class=\"figures\">\n"
    for (index, record) in data.tuning.enumerated() {
      let outcome = record.outcome
      let perRound = outcome.measurementsPerRound
      let graph = ["grid": "Graph 1: ", "adaptive": "Graph 2: "][outcome.strategy] ?? ""
      html += figure(
        LineChart(
          title: "\(graph)\(outcome.strategy): measurements per round",
          summary: "Measurements taken in each round of the \(outcome.strategy) strategy.",
          x: Axis("round", unit: "index", includesZero: false),
          y: Axis("measurements", unit: "count"),
          series: [
            LineChart.Series(
              outcome.strategy,
              perRound.enumerated().map { LineChart.Point(x: Double($0 + 1), y: Double($1)) })
          ]
        ).svg(id: "tune-rounds-\(index)"),
        caption:
          "\(outcome.strategy): \(outcome.measurements) measurements in \(outcome.rounds) rounds, \(NumberFormat.fixed(outcome.seconds, 1)) s; stopped: \(Self.stopText(outcome.stopReason))."
      )
    }
    html += figure(
      LineChart(
        title: "Measurements so far, by round",
        summary: "Cumulative measurements of each strategy against its rounds.",
        x: Axis("round", unit: "index", includesZero: false),
        y: Axis("measurements so far", unit: "count"),
        series: data.tuning.map { record in
          var total = 0
          return LineChart.Series(
            record.outcome.strategy,
            record.outcome.measurementsPerRound.enumerated().map { round, count in
              total += count
              return LineChart.Point(x: Double(round + 1), y: Double(total))
            })
        }
      ).svg(id: "tune-cumulative"),
      caption: "The cost of each strategy as it goes: where a line ends, the strategy stopped.")
    html += "</div>\n<div class=\"figures\">\n"
    for (index, record) in data.tuning.enumerated() {
      let outcome = record.outcome
      let fastest = outcome.trace.map(\.seconds).filter(\.isFinite).min() ?? 1
      let unit = TimeUnit.fitting(fastest)
      let samples = record.candidates.indices.map { candidate in
        outcome.trace.filter { $0.candidate == candidate }.map { unit($0.seconds) }
      }
      html += figure(
        StripPlot(
          title: "\(outcome.strategy): every measurement by candidate",
          summary: "Each candidate's measurements as dots, the chosen one marked.",
          categoryLabel: "candidate block size",
          categories: record.candidates.map {
            $0.split(separator: "=").last.map(String.init) ?? $0
          },
          samples: samples, y: Axis("time per call", unit: unit.symbol, includesZero: false),
          highlight: outcome.choice.map { ($0, "chosen: \(outcome.choiceLabel ?? "")") }
        ).svg(id: "tune-samples-\(index)"),
        caption:
          "\(outcome.strategy) chose \(outcome.choiceLabel ?? "nothing"). Its claim: \(outcome.confidence)"
      )
    }
    html += "</div>\n"
    var table = HTMLTable(
      ["strategy", "choice", "claim", "measurements", "seconds", "rounds", "stopped"],
      numeric: [3, 4, 5], wrapping: [2, 6])
    for record in data.tuning {
      let o = record.outcome
      table.add([
        o.strategy, o.choiceLabel ?? "–", o.confidence, "\(o.measurements)",
        NumberFormat.fixed(o.seconds, 2), "\(o.rounds)", Self.stopText(o.stopReason),
      ])
    }
    html += table.html(caption: "What each strategy chose, what it can claim, and what it cost.")
    let failures = data.tuning.flatMap { record in
      record.outcome.failures.sorted { $0.key < $1.key }.map {
        "\(record.outcome.strategy) dropped \($0.key): \($0.value)"
      }
        + (record.outcome.screened ?? [:]).sorted { $0.key < $1.key }.map {
          "\(record.outcome.strategy) dropped \($0.key) before its first look: \($0.value)"
        }
    }
    for failure in failures { html += paragraph(failure) }
    return html
  }

  static func stopText(_ reason: StopReason) -> String {
    switch reason {
    case .converged: "its own rule"
    case .measurementBudget: "measurement budget"
    case .timeBudget: "time budget"
    case .noCandidates: "every candidate failed"
    case .interrupted: "interrupted"
    }
  }
}
