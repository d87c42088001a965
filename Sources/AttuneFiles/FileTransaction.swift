/// Files a command writes together: either every one of them is written, or none is changed.
///
/// Each file is checked when added (`OutputTarget`: regular files replaced atomically, devices and
/// FIFOs written in place, anything else refused; the same file named twice refused), so a
/// command can check its outputs before a long computation. `stage()` then writes every
/// replacement to a temporary file beside its destination, complete and flushed to disk; only
/// `StagedFiles.commit()` writes the devices and renames the temporaries into place. A failure
/// before the renames leaves every destination as it was; a rename fails only when its directory
/// changed meanwhile.
///
/// ```swift
/// var files = FileTransaction()
/// try files.add(npy, to: "o.npy")
/// try files.add(lse, to: "lse.npy")
/// try files.stage().commit()
/// ```
package struct FileTransaction {
  private var entries: [(target: OutputTarget, identity: String, bytes: [UInt8])] = []

  /// An empty set of files.
  package init() {}

  /// Checks that every path can be written and that no two name the same file, writing nothing.
  ///
  /// - Throws: `FileError.unwritable` for the first path that cannot be written.
  package static func check(_ paths: [String]) throws(FileError) {
    var files = FileTransaction()
    for path in paths { try files.add([], to: path) }
  }

  /// Adds `bytes` to be written to `path`.
  ///
  /// - Throws: `FileError.unwritable` if `path` cannot be written, or names a file already added.
  package mutating func add(_ bytes: [UInt8], to path: String) throws(FileError) {
    let (target, identity) = try OutputTarget.resolve(path)
    if let other = entries.first(where: { $0.identity == identity }) {
      throw .unwritable(
        path: path,
        reason: "the same file as \(other.target.path), another output of this command")
    }
    entries.append((target, identity, bytes))
  }

  /// Writes every replacement to its temporary file.
  ///
  /// - Throws: `FileError.unwritable`, after removing the temporaries already written.
  package func stage() throws(FileError) -> StagedFiles {
    var staged = StagedFiles()
    do throws(FileError) {
      for entry in entries {
        switch entry.target {
        case .replace(let path):
          staged.temporaries.append(
            (try StagedFiles.writeTemporary(entry.bytes, beside: path), path))
        case .inPlace(let path):
          staged.inPlace.append((path, entry.bytes))
        }
      }
    } catch {
      staged.discard()
      throw error
    }
    return staged
  }
}
