import ArgumentParser
import AttunePlanner
import Foundation

extension Attune.Wisdom {
  /// `attune wisdom show`.
  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the entries, marking those that apply to this machine and build.")

    @OptionGroup var location: WisdomOptions

    @Flag(help: "Print the entries as JSON.")
    var json = false

    func run() throws {
      let store = try location.store()
      let (entries, warnings) = store.load()
      printWarnings(warnings)
      if json {
        print(String(decoding: store.export().data, as: UTF8.self))
        return
      }
      let here = WisdomContext.current()
      print("wisdom  \(store.path)")
      print("machine \(here.machine.id): \(here.machine.description)")
      print("build   Attune \(here.attuneVersion), \(here.build)")
      if entries.isEmpty {
        print("\nno entries (attune tune --save or attune plan --level measure add them)")
        return
      }
      print("")
      for entry in entries {
        let applies = here.mismatch(with: entry.context).map { "ignored: \($0)" } ?? "applies"
        print("\(entry.configurationDescription) for \(entry.shapeClass)")
        print(
          "  tuned at \(entry.tunedShape) by \(entry.strategy) on \(entry.date): \(entry.confidence)"
        )
        if let best = entry.times.min(by: { $0.medianSeconds < $1.medianSeconds }) {
          print(
            "  fastest measured: \(best.label) \(String(format: "%.3f", best.medianSeconds * 1e3)) ms (\(entry.times.count) candidates)"
          )
        }
        print("  \(applies)")
      }
    }
  }

  /// `attune wisdom path`.
  struct Path: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the wisdom file's path.")

    @OptionGroup var location: WisdomOptions

    func run() throws { print(try location.store().path) }
  }
}
