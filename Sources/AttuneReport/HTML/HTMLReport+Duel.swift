import AttuneTuner

extension HTMLReport {
  func duelSection() -> String {
    let duel = data.duel
    let strategies = duel.strategies
    var html = paragraph(
      "The report's Graph 3: on \(duel.trials.count) different random matrices (\(duel.kernel) at \(duel.shape)), every strategy tuned the block size, in a shuffled order per trial. All strategies chose the same candidate in \(duel.agreeingTrials) of \(duel.trials.count) trials."
    )
    html += "<div class=\"figures\">\n"
    func perTrial(_ value: (TuningOutcome) -> Double) -> [LineChart.Series] {
      strategies.map { name in
        LineChart.Series(
          name,
          duel.trials.compactMap { trial in
            trial.outcomes.first { $0.strategy == name }.map {
              LineChart.Point(x: Double(trial.trial), y: value($0))
            }
          })
      }
    }
    let trialTicks = duel.trials.count <= 20 ? duel.trials.map { Double($0.trial) } : nil
    html += figure(
      LineChart(
        title: "Graph 3: time to decide, per trial",
        summary: "Seconds each strategy needed to stop, on each random matrix.",
        x: Axis("trial", unit: "index", ticks: trialTicks, includesZero: false),
        y: Axis("time to decide", unit: "s"), series: perTrial(\.seconds)
      ).svg(id: "duel-seconds"),
      caption: "Seconds from the first measurement to the decision, per trial and strategy.")
    html += figure(
      LineChart(
        title: "Measurements to decide, per trial",
        summary: "Measurements each strategy took before stopping, on each random matrix.",
        x: Axis("trial", unit: "index", ticks: trialTicks, includesZero: false),
        y: Axis("measurements", unit: "count"), series: perTrial { Double($0.measurements) }
      ).svg(id: "duel-measurements"),
      caption: "Measurements per trial; a run that hit the budget stops at the budget's line.")
    html += figure(
      BarChart(
        title: "Choices over all trials",
        summary: "How many times each strategy chose each candidate.",
        categoryLabel: "candidate", categories: duel.candidates, series: strategies,
        y: Axis("times chosen", unit: "count"),
        values: duel.candidates.indices.map { candidate in
          strategies.map { name in
            BarChart.Value(
              Double(duel.outcomes(of: name).filter { $0.choice == candidate }.count))
          }
        }
      ).svg(id: "duel-choices"),
      caption:
        "Agreement: where the strategies' bars stand over the same candidates, they chose alike.")
    html += "</div>\n"
    var table = HTMLTable(
      ["strategy", "mean seconds", "mean measurements", "budget stops", "choices"],
      numeric: [1, 2, 3])
    for name in strategies {
      let outcomes = duel.outcomes(of: name)
      let count = Double(max(outcomes.count, 1))
      let choices = Dictionary(grouping: outcomes.compactMap(\.choiceLabel), by: { $0 })
        .map { "\($0.key) ×\($0.value.count)" }.sorted().joined(separator: ", ")
      table.add([
        name, NumberFormat.fixed(outcomes.map(\.seconds).reduce(0, +) / count, 2),
        NumberFormat.fixed(Double(outcomes.map(\.measurements).reduce(0, +)) / count, 1),
        "\(outcomes.filter { $0.stopReason != .converged }.count)", choices,
      ])
    }
    html += table.html(caption: "Per strategy over all trials.")
    return html
  }
}
