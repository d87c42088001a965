import AttuneFiles
import AttuneNPY
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Atomic writes and readable errors on real files.
struct FileIOTests {
  /// A fresh directory under the system's temporary directory.
  func temporaryDirectory() throws -> String {
    var template = Array("/tmp/attune-test-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { $0.baseAddress.flatMap { mkdtemp($0) } }
    #expect(made != nil)
    return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  func entries(_ directory: String) -> [String] {
    guard let dir = opendir(directory) else { return [] }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  @Test("write then read gives the same array; a second write replaces the first whole")
  func writeRead() throws {
    let directory = try temporaryDirectory()
    let path = directory + "/a.npy"
    let first = try NPYArray(shape: [2, 2], values: [1, 2, 3, 4])
    try NPY.write(first, path: path)
    #expect(try NPY.read(path: path) == first)
    let second = try NPYArray(shape: [3], values: [5, 6, 7])
    try NPY.write(second, path: path)
    #expect(try NPY.read(path: path) == second)
    #expect(entries(directory) == ["a.npy"], "no temporary file is left behind")
  }

  @Test("a missing directory, a directory as the target, a read-only directory")
  func unwritable() throws {
    let array = try NPYArray(shape: [1], values: [1])
    #expect(throws: NPYError.self) { try NPY.write(array, path: "/nonexistent-dir/a.npy") }
    let directory = try temporaryDirectory()
    #expect(throws: NPYError.unwritable(path: directory, reason: "it is a directory")) {
      try NPY.write(array, path: directory)
    }
    #expect(throws: FileError.self) { try FileIO.checkWritable(path: "") }
    if getuid() != 0 {  // root may write anywhere
      chmod(directory, 0o500)
      #expect(throws: NPYError.self) { try NPY.write(array, path: directory + "/a.npy") }
      chmod(directory, 0o700)
    }
    #expect(entries(directory).isEmpty)
  }

  @Test("reading a missing file or a directory says so")
  func unreadable() throws {
    #expect(
      throws: NPYError.unreadable(path: "/nonexistent.npy", reason: "No such file or directory")
    ) { try NPY.read(path: "/nonexistent.npy") }
    let directory = try temporaryDirectory()
    #expect(throws: NPYError.self) { try NPY.read(path: directory) }
  }
}
