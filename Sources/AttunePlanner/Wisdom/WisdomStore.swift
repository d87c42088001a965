import AttuneFiles
import AttuneKernels
import Foundation

/// Tuned results kept in one JSON file per user, as FFTW keeps "wisdom".
///
/// Readers never block: writers replace the file atomically (a temporary file renamed over it).
/// Writers take an exclusive lock on `path.lock`, read the file again, merge, and write, so
/// several processes tuning at once lose no entry. A file that cannot be read as wisdom of this
/// format (corrupt, truncated, another version) is reported and moved aside to
/// `path.unreadable-<date>`, never deleted, and the store starts empty.
public struct WisdomStore: Sendable {
  /// The file.
  public let path: String

  /// A store at `path`.
  public init(path: String) { self.path = path }

  /// The store at `ATTUNE_WISDOM` if set, else in the user's cache directory:
  /// `$XDG_CACHE_HOME/attune/wisdom.json` (default `~/.cache/attune/wisdom.json`) on Linux,
  /// `~/Library/Caches/Attune/wisdom.json` on macOS.
  ///
  /// - Throws: `WisdomError.noLocation` when no variable gives a place.
  public static func standard(
    environment: [String: String] = ProcessInfo.processInfo.environment
  ) throws(WisdomError) -> WisdomStore {
    if let path = environment["ATTUNE_WISDOM"], !path.isEmpty { return WisdomStore(path: path) }
    #if canImport(Darwin)
      guard let home = environment["HOME"], !home.isEmpty else { throw .noLocation }
      return WisdomStore(path: "\(home)/Library/Caches/Attune/wisdom.json")
    #else
      if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
        return WisdomStore(path: "\(cache)/attune/wisdom.json")
      }
      guard let home = environment["HOME"], !home.isEmpty else { throw .noLocation }
      return WisdomStore(path: "\(home)/.cache/attune/wisdom.json")
    #endif
  }

  // MARK: - Reading

  /// The entries, with a warning for each problem met. Never throws: an unreadable file is set
  /// aside (see the type's description) and reads as empty.
  public func load() -> (entries: [WisdomEntry], warnings: [String]) {
    switch read() {
    case .missing: return ([], [])
    case .entries(let entries): return (entries, [])
    case .notAFile:
      return ([], ["wisdom path \(path) is not a regular file; using defaults (it is left alone)"])
    case .denied(let reason):
      return (
        [], ["cannot read wisdom file \(path) (\(reason)); using defaults (it is left alone)"]
      )
    case .bad(let reason):
      let aside = try? setAside(reason: reason)
      return ([], [aside ?? "wisdom file \(path) is unreadable (\(reason)); using defaults"])
    }
  }

  /// The entry that applies to `shape` in `context`, for `kernel` (any kernel if nil) and
  /// `threads` (any if nil); the most recent if several do.
  public func entry(
    for shape: AttentionShape, kernel: String? = nil, threads: Int? = nil,
    context: WisdomContext = .current()
  ) -> (entry: WisdomEntry?, warnings: [String]) {
    let (entries, warnings) = load()
    let shapeClass = ShapeClass(shape)
    let matching = entries.filter { entry in
      context.mismatch(with: entry.context) == nil && entry.shapeClass == shapeClass
        && entry.dtype == "float32" && (kernel == nil || entry.kernel == kernel)
        && (threads == nil || entry.threads == threads)
    }
    return (matching.max { $0.date < $1.date }, warnings)
  }

  private enum Contents {
    case missing
    /// Something other than a regular file (a directory, a device): never moved or replaced.
    case notAFile
    /// A regular file this user may not read: never moved or replaced.
    case denied(String)
    case entries([WisdomEntry])
    case bad(String)
  }

  private func read() -> Contents {
    var info = stat()
    guard stat(path, &info) == 0 else { return .missing }  // follows symbolic links
    guard (info.st_mode & S_IFMT) == S_IFREG else { return .notAFile }
    guard access(path, R_OK) == 0 else { return .denied(String(cString: strerror(errno))) }
    let bytes: [UInt8]
    do throws(FileError) { bytes = try FileIO.read(path: path) } catch {
      return .bad(error.description)
    }
    return Self.decode(Data(bytes))
  }

  private static func decode(_ data: Data) -> Contents {
    struct Header: Decodable {
      let format: String?
      let version: Int?
    }
    guard let header = try? JSONDecoder().decode(Header.self, from: data) else {
      return .bad("not JSON, or truncated")
    }
    guard header.format == WisdomFile.formatName else { return .bad("not an attune wisdom file") }
    guard header.version == WisdomFile.currentVersion else {
      return .bad(
        "format version \(header.version.map(String.init) ?? "none"); this Attune reads \(WisdomFile.currentVersion)"
      )
    }
    do {
      return .entries(try JSONDecoder().decode(WisdomFile.self, from: data).entries)
    } catch { return .bad("malformed entries") }
  }

  /// Moves an unreadable file aside (under the lock, after checking it is still unreadable);
  /// returns the warning to show.
  private func setAside(reason: String) throws(WisdomError) -> String {
    try FileLock.withLock(path + ".lock") { () throws(WisdomError) -> String in
      guard case .bad(let reason) = read() else {
        return "wisdom file \(path) changed while being read; using it as it is now"
      }
      let aside = asidePath()
      guard rename(path, aside) == 0 else {
        return "wisdom file \(path) is unreadable (\(reason)); using defaults"
      }
      return
        "wisdom file \(path) is unreadable (\(reason)); moved aside to \(aside), using defaults"
    }
  }

  /// The entries of wisdom file contents, as `load` would read them.
  ///
  /// - Throws: `WisdomError.unreadable` naming `source` when `data` is not wisdom of this format
  ///   (not JSON, truncated, another format or version, malformed entries).
  public static func entries(in data: Data, source: String) throws(WisdomError) -> [WisdomEntry] {
    switch decode(data) {
    case .entries(let entries): return entries
    case .bad(let reason): throw .unreadable(path: source, reason: reason)
    case .missing, .notAFile, .denied: return []
    }
  }

  /// Where an unreadable file is moved: `path.unreadable-<date and time>`, with `-2`, `-3`…
  /// added when that name is taken (two files set aside in one second). Called under the lock,
  /// so no other writer takes the name between the check and the rename.
  private func asidePath() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withYear, .withMonth, .withDay, .withTime]
    let base = "\(path).unreadable-\(formatter.string(from: Date()))"
    var info = stat()
    var candidate = base
    var number = 1
    while lstat(candidate, &info) == 0, number < 10_000 {
      number += 1
      candidate = "\(base)-\(number)"
    }
    return candidate
  }

  // MARK: - Writing

  /// Adds `entries`, each replacing any entry with the same key, under the file's lock.
  ///
  /// - Returns: Warnings (such as an unreadable file that was set aside first).
  /// - Throws: `WisdomError.unwritable` when the directory or file cannot be written.
  @discardableResult
  public func record(_ entries: [WisdomEntry]) throws(WisdomError) -> [String] {
    try update { current in
      var merged = current
      for entry in entries {
        merged.removeAll { $0.key == entry.key }
        merged.append(entry)
      }
      return merged
    }
  }

  /// Removes every entry (the file remains, empty).
  public func clear() throws(WisdomError) {
    try update { _ in [] }
  }

  /// Reads, transforms and writes the entries under the lock.
  @discardableResult
  private func update(_ change: ([WisdomEntry]) -> [WisdomEntry]) throws(WisdomError) -> [String] {
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
      do {
        try FileManager.default.createDirectory(
          atPath: directory, withIntermediateDirectories: true)
      } catch {
        throw .unwritable(path: path, reason: "cannot create \(directory)")
      }
    }
    if case .notAFile = read() {
      throw .unwritable(path: path, reason: "it is not a regular file")
    }
    return try FileLock.withLock(path + ".lock") { () throws(WisdomError) -> [String] in
      var warnings: [String] = []
      var current: [WisdomEntry] = []
      switch read() {
      case .missing: break
      case .notAFile: throw .unwritable(path: path, reason: "it is not a regular file")
      case .denied(let reason): throw .unreadable(path: path, reason: reason)
      case .entries(let entries): current = entries
      case .bad(let reason):
        let aside = asidePath()
        if rename(path, aside) == 0 {
          warnings.append("wisdom file \(path) was unreadable (\(reason)); moved aside to \(aside)")
        }
      }
      let file = WisdomFile(entries: change(current))
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      let data: Data
      do { data = try encoder.encode(file) } catch {
        throw .unwritable(path: path, reason: "cannot encode: \(error)")
      }
      do throws(FileError) { try FileIO.writeAtomically(Array(data), to: path) } catch {
        throw .unwritable(path: path, reason: error.description)
      }
      return warnings
    }
  }

  // MARK: - Export and import

  /// The file's text as this build would write it (empty wisdom if there is none).
  public func export() -> (data: Data, warnings: [String]) {
    let (entries, warnings) = load()
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return ((try? encoder.encode(WisdomFile(entries: entries))) ?? Data(), warnings)
  }

  /// What an import did.
  public struct ImportResult: Sendable {
    /// Entries added or replaced.
    public var imported = 0
    /// Entries refused, each with why.
    public var refused: [String] = []
    /// Warnings about the store.
    public var warnings: [String] = []
  }

  /// Adds the entries of another wisdom file; entries from another machine, Attune version or
  /// build are refused (with the reason) unless `force` is set.
  ///
  /// - Throws: `WisdomError.unreadable` if `data` is not wisdom of this format,
  ///   `.unwritable` if the store cannot be written.
  public func importEntries(
    from data: Data, source: String, force: Bool, context: WisdomContext = .current()
  ) throws(WisdomError) -> ImportResult {
    let entries = try Self.entries(in: data, source: source)
    var result = ImportResult()
    var accepted: [WisdomEntry] = []
    for entry in entries {
      if let why = context.mismatch(with: entry.context), !force {
        result.refused.append(
          "\(entry.configurationDescription) for \(entry.shapeClass): tuned on \(why); --force imports it anyway"
        )
      } else {
        accepted.append(entry)
      }
    }
    result.imported = accepted.count
    if !accepted.isEmpty { result.warnings = try record(accepted) }
    return result
  }
}
