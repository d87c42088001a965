/// The wisdom file's contents: a format tag, a version, and the entries.
struct WisdomFile: Codable {
  /// What the file is.
  static let formatName = "attune-wisdom"
  /// The version this build reads and writes.
  static let currentVersion = 1

  var format = formatName
  var version = currentVersion
  var entries: [WisdomEntry] = []
}
