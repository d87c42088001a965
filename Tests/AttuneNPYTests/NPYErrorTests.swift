import AttuneKernels
import AttuneNPY
import Testing

/// Every way an `.npy` file can be wrong gives its own error, never a crash.
struct NPYErrorTests {
  let payload = [UInt8](repeating: 0, count: 24)

  func header(_ descr: String = "'<f4'", fortran: String = "False", shape: String = "(2, 3)")
    -> String
  {
    "{'descr': \(descr), 'fortran_order': \(fortran), 'shape': \(shape), }"
  }

  @Test("not an .npy file")
  func notNPY() {
    #expect(throws: NPYError.notNPY) { try NPY.decode(Array("hello world, not numpy".utf8)) }
    #expect(throws: NPYError.notNPY) { try NPY.decode([]) }
    #expect(throws: NPYError.truncatedHeader) { try NPY.decode([0x93, 0x4E, 0x55]) }
  }

  @Test("unsupported versions")
  func versions() {
    var bytes = file(header: header(), payload: payload)
    bytes[6] = 4
    #expect(throws: NPYError.unsupportedVersion(major: 4, minor: 0)) { try NPY.decode(bytes) }
    bytes[6] = 1
    bytes[7] = 1
    #expect(throws: NPYError.unsupportedVersion(major: 1, minor: 1)) { try NPY.decode(bytes) }
  }

  @Test("a header longer than the file")
  func truncatedHeader() {
    let bytes = file(header: header(), payload: payload)
    #expect(throws: NPYError.truncatedHeader) { try NPY.decode(Array(bytes.prefix(40))) }
    #expect(throws: NPYError.truncatedHeader) { try NPY.decode(Array(bytes.prefix(9))) }
  }

  @Test(
    "malformed headers",
    arguments: [
      "{'descr': '<f4', 'fortran_order': False}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), 'extra': 1}",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3), }",
      "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 3), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }",
      "{'descr': <f4, 'fortran_order': False, 'shape': (2, 3), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } trailing",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), ",
      "{'descr': '<f4\\n', 'fortran_order': False, 'shape': (2, 3), }",
      "{'descr': 3, 'fortran_order': False, 'shape': (2, 3), }",
      "{'descr': '<f4', 'descr': '<f4', 'shape': (2, 3), }",
      "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999, 3), }",
      "",
    ])
  func malformed(text: String) {
    #expect {
      try NPY.decode(file(header: text, payload: payload))
    } throws: { error in
      guard case NPYError.malformedHeader(let reason)? = error as? NPYError else { return false }
      return !reason.isEmpty
    }
  }

  @Test("non-ASCII bytes in a version 1.0 header")
  func nonASCII() {
    #expect(throws: NPYError.self) {
      try NPY.decode(file(header: header("'<f4é'"), payload: payload))
    }
  }

  @Test(
    "dtypes other than float32 and float64",
    arguments: ["'<i4'", "'<f16'", "'|u1'", "'<c8'", "'|O'"])
  func dtypes(descr: String) {
    let name = String(descr.dropFirst().dropLast())
    #expect(throws: NPYError.unsupportedDType(name)) {
      try NPY.decode(file(header: header(descr), payload: payload))
    }
  }

  @Test("Fortran order")
  func fortran() {
    #expect(throws: NPYError.fortranOrder) {
      try NPY.decode(file(header: header(fortran: "True"), payload: payload))
    }
  }

  @Test("ranks 0 and 5")
  func ranks() {
    #expect(throws: NPYError.unsupportedRank(0)) {
      try NPY.decode(file(header: header(shape: "()"), payload: [0, 0, 0, 0]))
    }
    #expect(throws: NPYError.unsupportedRank(5)) {
      try NPY.decode(file(header: header(shape: "(1, 1, 1, 2, 3)"), payload: payload))
    }
  }

  @Test("data shorter or longer than the shape")
  func dataLength() {
    #expect(throws: NPYError.truncatedData(expectedBytes: 24, actualBytes: 23)) {
      try NPY.decode(file(header: header(), payload: Array(payload.dropLast())))
    }
    #expect(throws: NPYError.trailingData(expectedBytes: 24, actualBytes: 25)) {
      try NPY.decode(file(header: header(), payload: payload + [0]))
    }
  }

  @Test("a shape whose byte count overflows")
  func overflow() {
    #expect(throws: NPYError.shapeTooLarge([4_611_686_018_427_387_904, 4])) {
      try NPY.decode(file(header: header(shape: "(4611686018427387904, 4)"), payload: payload))
    }
  }

  @Test("values that do not fill the shape")
  func countMismatch() {
    #expect(throws: NPYError.countMismatch(shape: [2, 2], count: 3)) {
      try NPYArray(shape: [2, 2], values: [1, 2, 3])
    }
  }

  @Test("20 000 random corruptions of a valid file: each decodes or throws, none crashes")
  func corruptions() throws {
    let valid = NPY.encode(try NPYArray(shape: [3, 4], values: (0..<12).map(Float.init)))
    var generator = SplitMix64(seed: 7)
    var decoded = 0
    var refused = 0
    for _ in 0..<20_000 {
      var bytes = valid
      switch Int.random(in: 0..<3, using: &generator) {
      case 0:  // flip a few bytes
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
          bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(
            in: 0...255, using: &generator)
        }
      case 1:  // cut the file short
        bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
      default:  // rewrite one header character
        bytes[Int.random(in: 10..<min(bytes.count, 80), using: &generator)] =
          Array(
            "(){}',: 0123456789TrueFalse<>f48".utf8
          ).randomElement(using: &generator) ?? 0
      }
      if (try? NPY.decode(bytes)) != nil { decoded += 1 } else { refused += 1 }
    }
    #expect(decoded + refused == 20_000)
    #expect(refused > 10_000, "most corruptions are detected")
  }
}
