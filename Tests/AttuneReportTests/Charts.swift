import AttuneReport

/// Fixed charts of every kind, for the structure and snapshot tests.
enum Charts {
  static let line = LineChart(
    title: "Time per call by matrix size",
    summary: "Three kernels against N on log axes.",
    x: Axis("matrix size N", unit: "tokens", isLogarithmic: true, ticks: [128, 256, 512, 1024]),
    y: Axis("time per call", unit: "ms", isLogarithmic: true),
    series: [
      .init(
        "naive",
        [
          .init(x: 128, y: 1.4, low: 1.2, high: 1.8), .init(x: 256, y: 5.3),
          .init(x: 512, y: 21), .init(x: 1024, y: 85),
        ]),
      .init("simd", [.init(x: 128, y: 0.06), .init(x: 256, y: 0.16), .init(x: 1024, y: 1.6)]),
      .init("fused", [.init(x: 128, y: 0.05), .init(x: 512, y: .nan), .init(x: 1024, y: 1.5)]),
    ])

  static let singleLine = LineChart(
    title: "Graph 1: grid: measurements per round", summary: "Measurements per round.",
    x: Axis("round", unit: "index", includesZero: false), y: Axis("measurements", unit: "count"),
    series: [.init("grid", (1...6).map { .init(x: Double($0), y: $0 == 1 ? 16 : 8) })])

  static let bars = BarChart(
    title: "Share of correct choices", summary: "Per scenario and strategy.",
    categoryLabel: "profile / noise model", categories: ["clear / lognormal", "plateau / drift"],
    series: ["grid", "adaptive", "race"], y: Axis("correct choices", unit: "%"),
    values: [
      [
        .init(99, low: 97, high: 99.8), .init(95, low: 92, high: 97),
        .init(100, low: 98, high: 100),
      ],
      [.init(40, low: 35, high: 45), nil, .init(99.5, low: 98, high: 100)],
    ])

  static let heatmap = Heatmap(
    title: "Mean over kernels", summary: "Time by N and block size.",
    columnLabel: "block size (rows)", rowLabel: "matrix size N (tokens)",
    columns: ["32", "64", "128"], rows: ["128", "256", "512"],
    values: [[0.32, 0.31, nil], [1.1, 1.2, 1.24], [5.1, 5.0, 5.07]],
    value: Axis("time per call", unit: "ms", isLogarithmic: true))

  static let strip = StripPlot(
    title: "race: every measurement by candidate", summary: "Samples per candidate.",
    categoryLabel: "candidate block size", categories: ["64", "128", "192"],
    samples: [[0.46, 0.45, 0.47, 0.44], [0.46, 0.5, 0.48], [0.55, .infinity, 0.54]],
    y: Axis("time per call", unit: "ms", includesZero: false),
    highlight: (0, "chosen: blockQ=64"))

  /// Every chart, rendered, by snapshot name.
  static var all: [(name: String, svg: String)] {
    [
      ("line.svg", line.svg(id: "line")), ("single-line.svg", singleLine.svg(id: "single")),
      ("bars.svg", bars.svg(id: "bars")), ("heatmap.svg", heatmap.svg(id: "heatmap")),
      ("strip.svg", strip.svg(id: "strip")),
    ]
  }
}
