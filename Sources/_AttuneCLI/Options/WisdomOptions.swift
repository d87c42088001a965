import ArgumentParser
import AttunePlanner
import Foundation

/// Where wisdom lives: `--wisdom PATH`, else `ATTUNE_WISDOM`, else the user's cache directory.
struct WisdomOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Wisdom file (default: $ATTUNE_WISDOM, else ~/.cache/attune/wisdom.json or $XDG_CACHE_HOME).",
      valueName: "path"))
  var wisdom: String?

  func validate() throws {
    if let wisdom, wisdom.isEmpty { throw ValidationError("--wisdom needs a file path") }
  }

  /// The store the flags and environment choose.
  func store() throws -> WisdomStore {
    if let wisdom { return WisdomStore(path: wisdom) }
    return try ensure { () throws(WisdomError) in try WisdomStore.standard() }
  }
}

/// Prints each warning as one `warning: …` line on stderr.
func printWarnings(_ warnings: [String]) {
  for warning in warnings {
    FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
  }
}
