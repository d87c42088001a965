import AttuneTuner

extension ReportData {
  /// Every tuning measurement: strategy, round, candidate, seconds per call.
  static func tuningCSV(_ tuning: [TuningRecord]) -> String {
    var lines = ["strategy,kernel,n,d,round,candidate,seconds"]
    for record in tuning {
      for entry in record.outcome.trace {
        let label =
          record.candidates.indices.contains(entry.candidate)
          ? record.candidates[entry.candidate] : "\(entry.candidate)"
        lines.append(
          "\(record.outcome.strategy),\(record.kernel),\(record.shape.queries),\(record.shape.headDim),\(entry.round),\(label),\(entry.seconds)"
        )
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// One row per trial and strategy: choice, measurements, seconds, stop reason.
  static func duelCSV(_ duel: DuelReport) -> String {
    var lines = ["trial,seed,strategy,choice,measurements,seconds,rounds,stop_reason"]
    for trial in duel.trials {
      for outcome in trial.outcomes {
        lines.append(
          "\(trial.trial),\(trial.seed),\(outcome.strategy),\(outcome.choiceLabel ?? ""),\(outcome.measurements),\(outcome.seconds),\(outcome.rounds),\(outcome.stopReason.rawValue)"
        )
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// One row per strategy, profile and noise model.
  static func simulationCSV(_ simulation: SimulationReport) -> String {
    var lines = [
      "profile,noise,strategy,trials,correct,correct_low,correct_high,slowdown_median,slowdown_p95,measurements_mean,measurements_p95,seconds_mean,seconds_p95,budget_stops,declared_best,budget_stops_with_margin,budget_margin_median,margin_misses,dependence_reported"
    ]
    for s in simulation.summaries {
      lines.append(
        [
          s.profile, s.noise, s.strategy, "\(s.trials)", "\(s.correct)",
          "\(s.correctInterval.lower)", "\(s.correctInterval.upper)", "\(s.slowdownMedian)",
          "\(s.slowdownP95)", "\(s.measurementsMean)", "\(s.measurementsP95)", "\(s.secondsMean)",
          "\(s.secondsP95)", "\(s.budgetStops)", "\(s.declaredBest)",
          "\(s.budgetStopsWithMargin)", s.budgetMarginMedian.map { "\($0)" } ?? "",
          "\(s.marginMisses)", "\(s.dependenceReported)",
        ].joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
