import Foundation

extension ComparisonReport {
  /// Every raw sample as CSV, one row each, with the entry and the machine on every row so each
  /// line stands alone in a spreadsheet or a data frame.
  public func csv() -> String {
    let header = [
      "label", "kernel", "settings", "block_size", "nq", "nk", "dk", "dv", "flops", "round",
      "position", "iterations", "seconds", "cpu_model", "logical_processors", "os", "swift",
      "build", "kernels_fma", "date",
    ]
    var lines = [header.joined(separator: ",")]
    let machineColumns = [
      machine.cpuModel, String(machine.logicalProcessors), machine.operatingSystem,
      machine.swiftVersion, machine.buildConfiguration, String(machine.kernelsUseFMA), machine.date,
    ]
    for sample in samples {
      let entry = entries[sample.candidate]
      let settings = entry.settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
      let columns =
        [
          entry.label, entry.kernel, settings, entry.blockSize.map(String.init) ?? "",
          String(entry.shape.queries), String(entry.shape.keys), String(entry.shape.headDim),
          String(entry.shape.valueDim), String(entry.flops), String(sample.round),
          String(sample.position), String(sample.iterations), String(sample.seconds),
        ] + machineColumns
      lines.append(columns.map(Self.quote).joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// RFC 4180 quoting where needed.
  static func quote(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return field }
    return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
