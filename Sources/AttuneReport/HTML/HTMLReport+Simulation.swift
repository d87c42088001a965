import AttuneTuner

extension HTMLReport {
  func simulationSection() -> String {
    let simulation = data.simulation
    let summaries = simulation.summaries
    let strategies = ordered(summaries.map(\.strategy))
    let scenarios = ordered(summaries.map { "\($0.profile) / \($0.noise)" })
    func summary(_ scenario: String, _ strategy: String) -> SimulationSummary? {
      summaries.first { "\($0.profile) / \($0.noise)" == scenario && $0.strategy == strategy }
    }
    var html = paragraph(
      "Synthetic candidates whose true times are known: \(simulation.trials) trials per strategy, profile and noise model. Profiles: clear (next best 12 % slower), top3 (three within 2 %), plateau (six within 0.5 %), identical (A/A). A choice is correct when its true time is within ε = \(NumberFormat.percent(simulation.epsilon, 0)) of the fastest. Time is simulated: each measurement costs its own duration."
    )
    var accuracy = BarChart(
      title: "Share of correct choices",
      summary:
        "Per scenario and strategy, the share of trials whose choice was within ε of the fastest.",
      categoryLabel: "profile / noise model", categories: scenarios, series: strategies,
      y: Axis("correct choices", unit: "%"),
      values: scenarios.map { scenario in
        strategies.map { strategy in
          summary(scenario, strategy).map {
            BarChart.Value(
              $0.accuracy * 100, low: $0.correctInterval.lower * 100,
              high: $0.correctInterval.upper * 100)
          }
        }
      })
    accuracy.width = 1000
    accuracy.height = 400
    html += figure(
      accuracy.svg(id: "simulate-correct"),
      caption: "Error bars: Wilson 95 % intervals for the share correct.", wide: true)
    var cost = BarChart(
      title: "Measurements used",
      summary: "Per scenario and strategy, the mean number of measurements per trial.",
      categoryLabel: "profile / noise model", categories: scenarios, series: strategies,
      y: Axis("mean measurements per trial", unit: "count", isLogarithmic: true),
      values: scenarios.map { scenario in
        strategies.map { strategy in
          summary(scenario, strategy).map { BarChart.Value($0.measurementsMean) }
        }
      })
    cost.width = 1000
    cost.height = 400
    html += figure(
      cost.svg(id: "simulate-cost"),
      caption:
        "Mean measurements per trial (logarithmic); runs that hit the budget (\(simulation.budget.measurements) measurements) count in full.",
      wide: true)
    var table = HTMLTable(
      [
        "profile", "noise", "strategy", "correct", "95 % interval", "median slowdown",
        "measurements (mean)", "simulated s (mean)", "budget stops", "margin stated (median)",
        "dependence reported",
      ], numeric: [3, 4, 5, 6, 7, 8, 9, 10])
    for s in summaries {
      table.add([
        s.profile, s.noise, s.strategy, NumberFormat.percent(s.accuracy),
        "\(NumberFormat.percent(s.correctInterval.lower))–\(NumberFormat.percent(s.correctInterval.upper))",
        NumberFormat.percent(s.slowdownMedian, 2), NumberFormat.fixed(s.measurementsMean, 0),
        NumberFormat.fixed(s.secondsMean, 2), "\(s.budgetStops)",
        s.budgetMarginMedian.map { NumberFormat.percent($0, 2) } ?? "–", "\(s.dependenceReported)",
      ])
    }
    html += table.folded("Every strategy, profile and noise model (\(summaries.count) rows)")
    let checks = simulation.checks()
    if !checks.isEmpty {
      let passed = checks.filter(\.passed).count
      html +=
        "<details>\n<summary>The race's guarantees: \(passed) of \(checks.count) checks pass</summary>\n<ul>\n"
      for check in checks {
        html +=
          "<li class=\"\(check.passed ? "pass" : "fail")\">\(Markup.escape(check.line))</li>\n"
      }
      for note in simulation.costNotes() {
        html += "<li>\(Markup.escape(note))</li>\n"
      }
      html += "</ul>\n</details>\n"
    }
    return html
  }
}
