import AttuneFiles
import AttuneNPY
import Testing

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Outputs written together or not at all, and never a special file replaced.
struct FileTransactionTests {
  let files = FileIOTests()

  func contents(_ path: String) throws -> String {
    String(decoding: try FileIO.read(path: path), as: UTF8.self)
  }

  @Test("every file is written, or none: a device that fails leaves the other file unwritten")
  func allOrNothing() throws {
    let directory = try files.temporaryDirectory()
    var both = FileTransaction()
    try both.add(Array("one".utf8), to: directory + "/a")
    try both.add(Array("two".utf8), to: directory + "/b")
    try both.stage().commit()
    #expect(try contents(directory + "/a") == "one" && contents(directory + "/b") == "two")

    var failing = FileTransaction()
    try failing.add(Array("new".utf8), to: directory + "/a")
    try failing.add(Array("x".utf8), to: "/dev/full")  // written in place, and full
    #expect(throws: FileError.self) { try failing.stage().commit() }
    #expect(try contents(directory + "/a") == "one", "the first file is left as it was")
    #expect(files.entries(directory) == ["a", "b"], "no temporary file is left behind")

    var discarded = FileTransaction()
    try discarded.add(Array("new".utf8), to: directory + "/a")
    try discarded.stage().discard()
    #expect(try contents(directory + "/a") == "one")
    #expect(files.entries(directory) == ["a", "b"])
  }

  @Test("one file named twice (also through another spelling of its path) is refused")
  func sameFileTwice() throws {
    let directory = try files.temporaryDirectory()
    #expect(throws: FileError.self) {
      try FileTransaction.check([directory + "/a", directory + "/./a"])
    }
    try FileIO.writeAtomically(Array("x".utf8), to: directory + "/a")
    symlink(directory + "/a", directory + "/link")
    #expect(throws: FileError.self) {
      try FileTransaction.check([directory + "/a", directory + "/link"])
    }
    try FileTransaction.check([directory + "/a", directory + "/b"])
  }

  @Test(
    "a link's target is replaced (or created) and the link kept; a device is written, not replaced")
  func linksAndDevices() throws {
    let directory = try files.temporaryDirectory()
    symlink("target", directory + "/link")
    try FileIO.writeAtomically(Array("first".utf8), to: directory + "/link")
    try FileIO.writeAtomically(Array("second".utf8), to: directory + "/link")
    var info = stat()
    #expect(lstat(directory + "/link", &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK)
    #expect(try contents(directory + "/target") == "second")

    try FileIO.writeAtomically(Array("discarded".utf8), to: "/dev/null")
    #expect(stat("/dev/null", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR)
  }

  @Test("a read-only file and a loop of links are refused, and left as they were")
  func refused() throws {
    let directory = try files.temporaryDirectory()
    try FileIO.writeAtomically(Array("kept".utf8), to: directory + "/read-only")
    chmod(directory + "/read-only", 0o444)
    #expect(throws: FileError.self) {
      try FileIO.writeAtomically(Array("x".utf8), to: directory + "/read-only")
    }
    #expect(try contents(directory + "/read-only") == "kept")
    symlink("loop", directory + "/loop")
    #expect(throws: FileError.self) { try FileIO.writeAtomically([], to: directory + "/loop") }
  }

  @Test("a name of 255 bytes is written (the temporary name is short); 256 is refused first")
  func longNames() throws {
    let directory = try files.temporaryDirectory()
    let longest = directory + "/" + String(repeating: "n", count: 255)
    try FileIO.writeAtomically(Array("x".utf8), to: longest)
    #expect(try contents(longest) == "x")
    #expect(throws: FileError.self) {
      try FileIO.checkWritable(path: directory + "/" + String(repeating: "n", count: 256))
    }
  }
}
