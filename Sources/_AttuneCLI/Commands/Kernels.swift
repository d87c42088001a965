import ArgumentParser
import AttuneKernels
import Foundation

extension Attune {
  /// `attune kernels`: lists the kernels and their parameters.
  struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the kernels, their parameters, defaults and ranges, and the micro-kernels.",
      discussion: """
        The simd and fused kernels run on one micro-kernel table per instruction set, chosen at \
        run time: the best this CPU runs, or the one ATTUNE_ISA (avx512, avx2, neon, portable) \
        names.
        """)

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
      let active = try ensure { () throws(AttentionError) in try InstructionSet.active() }
      let micro = MicroKernelsEntry(
        active: active.entryName, instructionSet: active.rawValue,
        supported: InstructionSet.supported.map(\.rawValue),
        entries: InstructionSet.supported.map(\.entryName))
      if json {
        let entries = KernelCatalog.builtIn.map { descriptor in
          KernelEntry(
            name: descriptor.name, summary: descriptor.summary,
            parameters: descriptor.parameters.map {
              ParameterEntry(
                name: $0.name, flag: KernelOptions.flags[$0.name] ?? $0.name, summary: $0.summary,
                defaultValue: $0.defaultValue, minimum: $0.range.lowerBound,
                maximum: $0.range.upperBound)
            })
        }
        print(try JSONOutput.string(KernelsListing(kernels: entries, microKernels: micro)))
        return
      }
      for descriptor in KernelCatalog.builtIn {
        print(
          "\(descriptor.name.padding(toLength: 10, withPad: " ", startingAt: 0))\(descriptor.summary)"
        )
        if descriptor.parameters.isEmpty { print("          (no parameters)") }
        for parameter in descriptor.parameters {
          let flag = KernelOptions.flags[parameter.name] ?? parameter.name
          let range = "\(parameter.range.lowerBound)...\(parameter.range.upperBound)"
          print(
            "          \(flag.padding(toLength: 14, withPad: " ", startingAt: 0))"
              + "default \(String(parameter.defaultValue).padding(toLength: 6, withPad: " ", startingAt: 0))"
              + "range \(range.padding(toLength: 12, withPad: " ", startingAt: 0))\(parameter.summary)"
          )
        }
      }
      print(
        "\nmicro-kernels \(micro.active) (this CPU runs \(micro.supported.joined(separator: ", ")); "
          + "ATTUNE_ISA chooses)")
    }
  }
}

private struct KernelsListing: Encodable {
  let kernels: [KernelEntry]
  let microKernels: MicroKernelsEntry
}

/// The micro-kernel tables: the one in use and every one this CPU runs, best first.
private struct MicroKernelsEntry: Encodable {
  let active: String
  let instructionSet: String
  let supported: [String]
  let entries: [String]
}

private struct KernelEntry: Encodable {
  let name: String
  let summary: String
  let parameters: [ParameterEntry]
}

private struct ParameterEntry: Encodable {
  let name: String
  let flag: String
  let summary: String
  let defaultValue: Int
  let minimum: Int
  let maximum: Int
}
