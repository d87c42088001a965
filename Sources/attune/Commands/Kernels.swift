import ArgumentParser
import AttuneKernels
import Foundation

extension Attune {
  /// `attune kernels`: lists the kernels and their parameters.
  struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the kernels, their parameters, defaults and ranges.")

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
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
        print(try JSONOutput.string(entries))
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
    }
  }
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
