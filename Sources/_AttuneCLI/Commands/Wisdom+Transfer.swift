import ArgumentParser
import AttuneFiles
import AttuneNPY
import AttunePlanner
import Foundation

extension Attune.Wisdom {
  /// `attune wisdom export`.
  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write every entry as a wisdom file (to stdout by default).")

    @OptionGroup var location: WisdomOptions

    @Option(name: .shortAndLong, help: "File to write (- for stdout).")
    var output = "-"

    func run() throws {
      try OutputFile.check(output)
      let (data, warnings) = try location.store().export()
      printWarnings(warnings)
      try OutputFile.write(data, to: output)
    }
  }

  /// `attune wisdom import`.
  struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add the entries of a wisdom file; entries from another machine need --force.",
      discussion: """
        Entries tuned on another machine fingerprint, Attune version or build are refused, each \
        with the reason, unless --force is given. Entries replace those with the same key. \
        Exit status 1 when every entry was refused.
        """)

    @OptionGroup var location: WisdomOptions

    @Argument(help: "The wisdom file to import.")
    var file: String

    @Flag(help: "Import entries from other machines, versions or builds too.")
    var force = false

    func run() throws {
      let bytes = try ensure { () throws(FileError) in try FileIO.read(path: file) }
      let store = try location.store()
      let result = try ensure { () throws(WisdomError) in
        try store.importEntries(from: Data(bytes), source: file, force: force)
      }
      printWarnings(result.warnings)
      for refusal in result.refused {
        FileHandle.standardError.write(Data("refused: \(refusal)\n".utf8))
      }
      print(
        "imported \(result.imported) entries into \(store.path), refused \(result.refused.count)")
      if result.imported == 0 && !result.refused.isEmpty {
        throw CommandError("every entry was refused (see above); --force imports them anyway")
      }
    }
  }

  /// `attune wisdom clear`.
  struct Clear: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove every entry.")

    @OptionGroup var location: WisdomOptions

    func run() throws {
      let store = try location.store()
      let (entries, warnings) = store.load()
      try ensure { () throws(WisdomError) in try store.clear() }  // an error comes first, alone
      printWarnings(warnings)
      print("removed \(entries.count) entries from \(store.path)")
    }
  }
}
