import AttuneBench
import Foundation
import Testing

/// The commit a result names, read from a checkout's `.git` in each of the layouts git uses.
struct SourceCheckoutTests {
  let hash = "0123456789abcdef0123456789abcdef01234567"

  /// A fresh directory with `files` (relative path → contents).
  func checkout(_ files: [String: String]) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent(
      "attune-checkout-\(UUID().uuidString)")
    for (path, contents) in files {
      let url = root.appendingPathComponent(path)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try contents.write(to: url, atomically: true, encoding: .utf8)
    }
    return root
  }

  @Test("a branch, a packed branch, a detached head and a worktree give the commit; else nil")
  func layouts() throws {
    let short = String(hash.prefix(12))
    let branch = try checkout([".git/HEAD": "ref: refs/heads/main\n", ".git/refs/heads/main": hash])
    #expect(SourceCheckout.commit(root: branch) == short)
    let packed = try checkout([
      ".git/HEAD": "ref: refs/heads/main\n",
      ".git/packed-refs": "# pack-refs with: peeled\n\(hash) refs/heads/main\n",
    ])
    #expect(SourceCheckout.commit(root: packed) == short)
    let detached = try checkout([".git/HEAD": hash + "\n"])
    #expect(SourceCheckout.commit(root: detached) == short)
    let main = try checkout([".git/refs/heads/topic": hash])
    let worktree = try checkout([
      ".git": "gitdir: \(main.path)/.git/worktrees/w\n",
      "../\(main.lastPathComponent)/.git/worktrees/w/HEAD": "ref: refs/heads/topic\n",
      "../\(main.lastPathComponent)/.git/worktrees/w/commondir": "../..\n",
    ])
    #expect(SourceCheckout.commit(root: worktree) == short)
    #expect(SourceCheckout.commit(root: try checkout(["README": "no git"])) == nil)
    #expect(SourceCheckout.commit(root: try checkout([".git/HEAD": "garbage"])) == nil)
  }
}
