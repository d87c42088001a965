import AttuneReport
import Foundation
import Testing

@Suite struct ChartTests {
  @Test(arguments: Charts.all.map(\.name))
  func keepsTheRules(_ name: String) throws {
    let svg = try #require(Charts.all.first { $0.name == name }).svg
    #expect(ChartRules.problems(svg) == [])
  }

  @Test(arguments: Charts.all.map(\.name))
  func matchesItsSnapshot(_ name: String) throws {
    let svg = try #require(Charts.all.first { $0.name == name }).svg
    assertSnapshot(svg, named: name)
  }

  @Test func rulesCatchAChartWithoutLegendOrUnits() {
    // The checker itself must be able to fail.
    let broken = """
      <svg xmlns="http://www.w3.org/2000/svg" data-series="2" id="b"><title>T</title>\
      <text class="chart-title">T</text><text class="axis-title x numeric">size</text>\
      <text class="axis-title y numeric">time (ms)</text></svg>
      """
    let problems = ChartRules.problems(broken)
    #expect(problems.contains { $0.contains("has no unit") })
    #expect(problems.contains { $0.contains("legend") })
    #expect(ChartRules.problems("<svg><title>x</svg>").first?.contains("not well-formed") == true)
  }

  @Test func escapesTextSoTheSVGStillParses() throws {
    var chart = Charts.singleLine
    chart.title = "a < b & \"c\" > 'd'"
    chart.series[0].name = "<script>"
    let svg = chart.svg(id: "x\"y")
    #expect(ChartRules.problems(svg) == [])
    let root = try XMLElement.parse(svg).get()
    #expect(root.withClass("chart-title").first?.fullText == "a < b & \"c\" > 'd'")
    #expect(!svg.contains("<script>"))
  }

  @Test func logarithmicAxesSpaceDecadesEvenly() throws {
    let chart = LineChart(
      title: "t", summary: "s", x: Axis("x", unit: "u", isLogarithmic: true),
      y: Axis("y", unit: "u", isLogarithmic: true),
      series: [.init("a", [10, 100, 1000].map { .init(x: $0, y: $0) })])
    let root = try XMLElement.parse(chart.svg(id: "log")).get()
    let markers = root.all.filter { $0.name == "circle" }
    let xs = markers.compactMap { Double($0.attributes["cx"] ?? "") }
    let ys = markers.compactMap { Double($0.attributes["cy"] ?? "") }
    try #require(xs.count == 3 && ys.count == 3)
    #expect(abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 0.05)
    #expect(abs((ys[1] - ys[0]) - (ys[2] - ys[1])) < 0.05)
    #expect(xs[0] < xs[1] && ys[0] > ys[1])  // right and up
  }

  @Test func barsAreProportionalToTheirValuesFromZero() throws {
    let chart = BarChart(
      title: "t", summary: "s", categoryLabel: "c", categories: ["a", "b", "c"], series: ["s"],
      y: Axis("v", unit: "u"), values: [[.init(10)], [.init(20)], [.init(40)]])
    let root = try XMLElement.parse(chart.svg(id: "bars")).get()
    let bars = root.all.filter { $0.name == "rect" && $0.children.contains { $0.name == "title" } }
    let heights = bars.compactMap { Double($0.attributes["height"] ?? "") }
    let bottoms = bars.compactMap { bar in
      Double(bar.attributes["y"] ?? "").flatMap { y in
        Double(bar.attributes["height"] ?? "").map { y + $0 }
      }
    }
    try #require(heights.count == 3)
    #expect(abs(heights[1] / heights[0] - 2) < 0.01)
    #expect(abs(heights[2] / heights[0] - 4) < 0.01)
    #expect(Set(bottoms.map { ($0 * 10).rounded() }).count == 1)  // one baseline
  }

  @Test func heatmapWritesEveryValueAndOrdersColours() throws {
    let root = try XMLElement.parse(Charts.heatmap.svg(id: "h")).get()
    let cells = root.all.filter {
      $0.name == "rect" && $0.children.contains { $0.name == "title" }
    }
    #expect(cells.count == 8)  // 9 cells, one empty
    let texts = Set(root.all.filter { $0.name == "text" }.map(\.fullText))
    for value in ["0.32", "0.31", "1.1", "1.2", "1.24", "5.1", "5", "5.07", "–"] {
      #expect(texts.contains(value), "cell \(value) not written")
    }
    let scale = ColourScale(domain: 0.31...5.1, isLogarithmic: true)
    #expect(scale.position(0.31) == 0 && scale.position(5.1) == 1)
    #expect(scale.position(1.1) < scale.position(1.24))
    #expect(scale.colour(0.31) != scale.colour(5.1))
  }

  @Test func stripPlotDrawsEveryFiniteSample() throws {
    let root = try XMLElement.parse(Charts.strip.svg(id: "s")).get()
    let dots = root.withClass("strip").flatMap { $0.all.filter { $0.name == "circle" } }
    #expect(dots.count == 9)  // 10 samples, one infinite
    let marked = root.withClass("strip").first { $0.attributes["data-name"] == "64" }
    #expect(
      marked?.all.filter { $0.name == "circle" }.allSatisfy {
        $0.attributes["fill"] == Palette.colour(3)
      } == true)
  }

  @Test func numbersReadTheSameEverywhere() {
    #expect(NumberFormat.significant(2048) == "2048")
    #expect(NumberFormat.significant(0.000123456) == "0.000123")
    #expect(NumberFormat.significant(12.0) == "12")
    #expect(NumberFormat.significant(1.5e-5) == "1.50e-05")
    #expect(NumberFormat.significant(-0.0) == "0")
    #expect(NumberFormat.significant(.nan) == "–")
    #expect(NumberFormat.percent(0.997) == "99.7 %")
    #expect(TimeUnit.fitting(0.0021).symbol == "ms")
    #expect(TimeUnit.fitting(2e-7).symbol == "ns")
  }
}
