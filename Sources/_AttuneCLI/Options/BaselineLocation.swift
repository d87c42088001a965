import AttunePlanner
import Foundation

/// Where a named baseline lives: a path as given when it names a file (it holds a `/` or ends
/// in `.json`), else `NAME.json` in `$ATTUNE_BASELINES`, else in `baselines/` beside the wisdom
/// file.
enum BaselineLocation {
  static func path(for name: String) throws -> String {
    if name.contains("/") || name.hasSuffix(".json") { return name }
    guard !name.isEmpty, name != ".", name != ".." else {
      throw CommandError("a baseline name cannot be '\(name)'")
    }
    let environment = ProcessInfo.processInfo.environment
    if let directory = environment["ATTUNE_BASELINES"], !directory.isEmpty {
      return "\(directory)/\(name).json"
    }
    let wisdom = try ensure { () throws(WisdomError) in try WisdomStore.standard() }
    let directory = (wisdom.path as NSString).deletingLastPathComponent
    return "\(directory)/baselines/\(name).json"
  }

  /// Creates the directory a baseline is to be saved in (the default one may not exist yet).
  static func prepareDirectory(of path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    guard !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) else { return }
    do {
      try FileManager.default.createDirectory(
        atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw CommandError(
        "cannot create the baseline directory \(directory): \(error.localizedDescription)")
    }
  }
}
