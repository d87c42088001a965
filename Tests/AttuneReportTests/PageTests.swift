import AttuneReport
import Foundation
import Testing

@Suite struct PageTests {
  func page() throws -> String {
    HTMLReport(data: try ReportData.load(from: fixtureDirectory)).html()
  }

  /// The `<svg>…</svg>` elements of a page.
  func charts(in page: String) -> [String] {
    var charts: [String] = []
    var rest = page[...]
    while let start = rest.range(of: "<svg "),
      let end = rest[start.upperBound...].range(of: "</svg>")
    {
      charts.append(String(rest[start.lowerBound..<end.upperBound]))
      rest = rest[end.upperBound...]
    }
    return charts
  }

  @Test func everyChartKeepsTheRules() throws {
    let charts = charts(in: try page())
    #expect(charts.count >= 18)
    for chart in charts {
      #expect(ChartRules.problems(chart) == [])
    }
  }

  @Test func showsEveryStudy() throws {
    let page = try page()
    let ids = charts(in: page).compactMap { chart in
      (try? XMLElement.parse(chart).get())?.attributes["id"]
    }
    #expect(Set(ids).count == ids.count, "chart ids repeat")
    for id in [
      "compare-time", "compare-gflops", "compare-speedup", "compare-bars", "heatmap-mean",
      "compare-samples", "tune-rounds-0", "tune-rounds-1", "tune-samples-2", "duel-seconds",
      "duel-measurements", "duel-choices", "simulate-correct", "simulate-cost",
    ] {
      #expect(ids.contains(id), "no chart \(id)")
    }
    for heading in ["Kernels compared", "Tuning strategies", "Duel", "Simulator", "Machine"] {
      #expect(page.contains(heading))
    }
  }

  @Test("the page opens on what to use here: a configuration, its speed, how to keep it")
  func answersFirst() throws {
    let page = try page()
    let data = try ReportData.load(from: fixtureDirectory)
    let race = try #require(data.tuning.first { $0.outcome.strategy == "race" })
    let label = try #require(race.outcome.choiceLabel)
    let first = try #require(page.range(of: "<section id=\"machine-answer\">"))
    let next = try #require(page.range(of: "<section id=\"kernels\">"))
    #expect(first.lowerBound < next.lowerBound, "the answer comes before the studies")
    let section = page[first.upperBound..<next.lowerBound]
    #expect(section.contains("<strong>\(race.kernel)</strong> with <strong>\(label)</strong>"))
    #expect(section.contains("GFLOP/s") && section.contains("faster than naive"))
    #expect(section.contains("--save"))
  }

  @Test("with peers, NumPy, PyTorch and onnxruntime follow the answer, as same-run ratios")
  func peers() throws {
    let page = try page()
    let answer = try #require(page.range(of: "<section id=\"machine-answer\">"))
    let peers = try #require(page.range(of: "<section id=\"peers\">"))
    let kernels = try #require(page.range(of: "<section id=\"kernels\">"))
    #expect(answer.lowerBound < peers.lowerBound && peers.lowerBound < kernels.lowerBound)
    let section = page[peers.upperBound..<kernels.lowerBound]
    for name in ["numpy", "torch", "onnxruntime", "NumPy 2.4.6", "time / attune-fused"] {
      #expect(section.contains(name), "no \(name)")
    }
    #expect(section.contains("(96 %)"), "6 rounds reach 96.9 %: the level as computed")
  }

  @Test("count and round axes tick whole numbers only; other axes keep round fractions")
  func wholeNumberTicks() {
    for high in [1.0, 2, 3, 7, 8.5, 20, 57, 300] {
      let ticks = Scale.linearTicks(0, high, minimumStep: 1)
      #expect(ticks.allSatisfy { $0 == $0.rounded() && $0 <= high }, "\(high): \(ticks)")
      #expect(ticks.count >= 2 && ticks.count <= 11, "\(high): \(ticks)")
    }
    #expect(Scale.linearTicks(0, 2) == [0, 0.5, 1, 1.5, 2])
    #expect(Axis("round", unit: "index").countsWholeNumbers)
    #expect(!Axis("time", unit: "ms").countsWholeNumbers)
  }

  @Test("long table cells wrap so tables fit the page")
  func tablesWrap() throws {
    let page = try page()
    #expect(page.contains("td.wrap { white-space: normal"))
    #expect(page.contains("<td class=\"wrap\">with probability"))
  }

  @Test func isSelfContained() throws {
    let page = try page()
    #expect(page.hasPrefix("<!DOCTYPE html>"))
    #expect(!page.contains("<script"))
    #expect(!page.contains("<link"))
    #expect(!page.contains("src="))
    let addresses = page.components(separatedBy: "http").dropFirst()
    #expect(addresses.allSatisfy { $0.hasPrefix("://www.w3.org/2000/svg\"") })
  }

  @Test func drawsTheSameBytesFromTheSameData() throws {
    #expect(try page() == page())
  }

  @Test func matchesItsSnapshot() throws {
    assertSnapshot(try page(), named: "page.html")
  }
}
