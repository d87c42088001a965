import Foundation

/// The git commit of the source checkout Attune was compiled from, read at run time from the
/// checkout's `.git` (the package's own clone, or SwiftPM's checkout of it for a dependent), so a
/// result can name the exact code that produced it. Nil when the sources are gone (a binary copied
/// elsewhere) or were not a git checkout (a source archive).
package enum SourceCheckout {
  /// The root of the package these sources belong to (where they were compiled from).
  package static let root: URL = packageRoot(of: #filePath)

  /// The commit (12 hexadecimal digits) of the checkout holding this file, read once.
  package static let commit: String? = commit(root: root)

  /// The package root for a source file at `Sources/<Module>/<File>.swift`.
  static func packageRoot(of file: String) -> URL {
    URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  /// The commit checked out at `root`: `.git/HEAD` (a commit, or a branch resolved through
  /// `refs/heads/…` or `packed-refs`); `.git` may be a file naming the directory (a worktree).
  package static func commit(root: URL) -> String? {
    func read(_ url: URL) -> String? {
      (try? String(contentsOf: url, encoding: .utf8))?.trimmingCharacters(
        in: .whitespacesAndNewlines)
    }
    var git = root.appendingPathComponent(".git")
    if let pointer = read(git), pointer.hasPrefix("gitdir: ") {
      let path = String(pointer.dropFirst("gitdir: ".count))
      git = path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)
    }
    guard let head = read(git.appendingPathComponent("HEAD")) else { return nil }
    func shortened(_ hash: String) -> String? {
      let hex = hash.prefix { $0.isHexDigit }
      return hex.count >= 40 ? String(hex.prefix(12)) : nil
    }
    guard head.hasPrefix("ref: ") else { return shortened(head) }
    let ref = String(head.dropFirst("ref: ".count))
    // A worktree keeps its refs in the main repository ("commondir").
    let common = read(git.appendingPathComponent("commondir")).map {
      $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : git.appendingPathComponent($0)
    }
    for directory in [git, common].compactMap({ $0 }) {
      if let hash = read(directory.appendingPathComponent(ref)).flatMap(shortened) {
        return hash
      }
      let packed = read(directory.appendingPathComponent("packed-refs")) ?? ""
      for line in packed.split(separator: "\n") where line.hasSuffix(" \(ref)") {
        if let hash = shortened(String(line.prefix(40))) { return hash }
      }
    }
    return nil
  }
}
