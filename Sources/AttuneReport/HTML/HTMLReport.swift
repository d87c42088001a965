import AttuneBench
import AttuneTuner

/// The report as one self-contained HTML page: every chart inline SVG, the style inline, no
/// script and no external asset, so it opens offline in any browser.
///
/// The page is a function of the data alone (no clock, no randomness): rendering the same saved
/// data gives the same bytes.
package struct HTMLReport: Sendable {
  /// What the page shows.
  package let data: ReportData

  /// A page for `data`.
  package init(data: ReportData) { self.data = data }

  /// The sections, in order: (anchor, heading, body).
  func sections() -> [(id: String, heading: String, body: String)] {
    let peers =
      data.peers == nil
      ? [] : [("peers", "Against NumPy, PyTorch and onnxruntime", peersSection())]
    return [("machine-answer", "On this machine", recommendationSection())] + peers + [
      ("kernels", "1. Kernels compared", comparisonSection()),
      ("tuning", "2. Tuning strategies", tuningSection()),
      ("duel", "3. Duel: the strategies on many matrices", duelSection()),
      ("simulation", "4. Simulator: strategies against known answers", simulationSection()),
      ("machine", "5. Machine, build and method", machineSection()),
    ]
  }

  /// The whole page.
  package func html() -> String {
    let sections = sections()
    let machine = data.manifest.machine
    var page = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>Attune report: \(Markup.escape(machine.cpuModel))</title>
      <style>
      \(Self.style)
      </style>
      </head>
      <body>
      <header>
      <h1>Attune report</h1>
      <p class="lead">Attention kernels, block-size tuners and their statistics, measured on \
      <strong>\(Markup.escape(machine.cpuModel))</strong> (\(machine.logicalProcessors) processors, \
      \(Markup.escape(machine.operatingSystem))), \(Markup.escape(machine.date)), \
      Attune \(Markup.escape(data.manifest.attuneVersion)), \(Markup.escape(machine.buildConfiguration)) build. \
      The study took \(NumberFormat.fixed(data.manifest.seconds / 60, 1)) minutes.</p>
      <nav><ul>

      """
    for section in sections {
      page += "<li><a href=\"#\(section.id)\">\(Markup.escape(section.heading))</a></li>\n"
    }
    page += "</ul></nav>\n</header>\n<main>\n"
    for section in sections {
      page += "<section id=\"\(section.id)\">\n<h2>\(Markup.escape(section.heading))</h2>\n"
      page += section.body
      page += "</section>\n"
    }
    page += """
      </main>
      <footer><p>Made by <code>attune report</code>. The data beside this page (JSON and CSV) holds \
      every raw sample; <code>attune report --from DIR</code> draws this page again from it.</p></footer>
      </body>
      </html>

      """
    return page
  }

  /// A figure: the chart and its caption.
  func figure(_ svg: String, caption: String, wide: Bool = false) -> String {
    "<figure\(wide ? " class=\"wide\"" : "")>\n\(svg)\n<figcaption>\(Markup.escape(caption))</figcaption>\n</figure>\n"
  }

  /// A paragraph of plain text.
  func paragraph(_ text: String) -> String { "<p>\(Markup.escape(text))</p>\n" }

  static let style = """
    body { font-family: "DejaVu Sans", Verdana, system-ui, sans-serif; color: #222; background: #fafafa;
      margin: 0; line-height: 1.45; }
    header, main, footer { max-width: 1360px; margin: 0 auto; padding: 0 24px; }
    h1 { font-size: 28px; margin: 24px 0 4px; }
    h2 { font-size: 21px; margin: 36px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
    h3 { font-size: 16px; margin: 24px 0 6px; }
    .lead { font-size: 15px; }
    nav ul { columns: 2; padding-left: 0; list-style: none; }
    .figures { display: flex; flex-wrap: wrap; gap: 16px; }
    figure { margin: 0 0 8px; background: #fff; border: 1px solid #ddd; padding: 8px; max-width: 100%;
      box-sizing: border-box; }
    figure svg { display: block; max-width: 100%; height: auto; }
    figcaption { font-size: 13px; color: #444; max-width: 600px; margin-top: 4px; }
    figure.wide figcaption { max-width: 960px; }
    .table-wrap { overflow-x: auto; margin: 8px 0 16px; }
    table { border-collapse: collapse; font-size: 13px; background: #fff; }
    caption { text-align: left; font-weight: bold; padding: 4px 0; }
    th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap; }
    th { background: #f0f0f0; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.wrap { white-space: normal; min-width: 16em; max-width: 40em; }
    .pass { color: #006400; } .fail { color: #a00000; }
    .answer { font-size: 17px; background: #fff; border-left: 4px solid #2a6; padding: 8px 12px; }
    details { margin: 8px 0 16px; }
    summary { cursor: pointer; font-weight: bold; font-size: 14px; padding: 4px 0; }
    code { background: #eee; padding: 0 3px; }
    pre { background: #fff; border: 1px solid #ddd; padding: 8px; overflow-x: auto; font-size: 12px; }
    footer { font-size: 13px; color: #555; margin-top: 40px; padding-bottom: 32px; }
    """
}
