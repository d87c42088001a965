extension HTMLReport {
  func machineSection() -> String {
    let machine = data.manifest.machine
    var table = HTMLTable(["", ""])
    table.add(["CPU", machine.cpuModel])
    table.add(["processors", "\(machine.logicalProcessors)"])
    table.add(["vector features", machine.isaFeatures.joined(separator: " ")])
    table.add(["architecture", machine.architecture])
    table.add(["operating system", machine.operatingSystem])
    table.add(["Swift", machine.swiftVersion])
    table.add(["build", machine.buildConfiguration])
    table.add(["kernels use FMA", machine.kernelsUseFMA ? "yes" : "no"])
    if let microKernels = machine.microKernels { table.add(["micro-kernels", microKernels]) }
    table.add([
      "Attune",
      data.manifest.attuneVersion + (machine.attuneCommit.map { ", commit \($0)" } ?? ""),
    ])
    table.add(["measured", machine.date])
    table.add(["study time", "\(NumberFormat.fixed(data.manifest.seconds, 0)) s"])
    var html = table.html(caption: "Machine and build")
    if machine.buildConfiguration != "release" {
      html += paragraph(
        "Warning: these numbers come from a debug build; timings are meaningless for performance.")
    }
    html += paragraph("The same studies, one command each:")
    html +=
      "<pre>" + data.manifest.plan.commands.map(Markup.escape).joined(separator: "\n")
      + "</pre>\n"
    html += paragraph(
      "Method. Times are per call, on random inputs drawn from a fixed seed. A comparison sample lasts at least 10 ms (short calls are repeated within it); each round measures every configuration once, in a new random order. Intervals for medians are distribution-free (order statistics); speedups are medians of per-round ratios, so drift of the machine cancels. The tuners are described in docs/TUNING.md."
    )
    return html
  }
}
