/// Why a measurement about to be taken may not be trustworthy, in words for stderr.
package enum MeasurementWarnings {
  /// The warnings for measuring on `machine` with `repetitions` samples per entry:
  ///
  /// - a 1-minute load average above the processors this process may use: other work competes;
  /// - kernels without vector fused multiply-add (the portable micro-kernels, built without
  ///   `ATTUNE_MARCH`): the figures are not what Attune reaches on a vector CPU;
  /// - fewer than 6 repetitions: an order-statistic interval for a median cannot reach 95 %
  ///   coverage (5 samples reach 93.75 %, 3 reach 75 %).
  package static func warnings(machine: MachineDescription, repetitions: Int) -> [String] {
    var lines: [String] = []
    if let load = machine.loadAverage, load > Double(machine.logicalProcessors) {
      lines.append(
        "load average \((load * 10).rounded() / 10) on \(machine.logicalProcessors) processors: other work competes with the measurement, so times will be noisy and slower"
      )
    }
    if !machine.kernelsUseFMA {
      lines.append(
        "the kernels use no vector fused multiply-add (micro-kernels: \(machine.microKernels ?? "unknown")): these times are not what Attune reaches on a CPU with vector FMA"
      )
    }
    if repetitions < 6 {
      lines.append(
        "\(repetitions) repetition\(repetitions == 1 ? "" : "s") per entry: intervals for a median cannot reach 95 % with fewer than 6 (the table labels each with the level it reaches)"
      )
    }
    return lines
  }
}
