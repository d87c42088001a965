import AttuneNPY
import Testing

/// Integer `.npy` files (sequence offsets): int32, int64, uint32, uint64 in both byte orders,
/// against the values written; other types, overflow and truncation refused.
struct NPYIntegerTests {
  /// An `.npy` of `values` as `descr` (`<i4`, `>i8`, ...), shape `shape`.
  static func file(_ values: [Int], descr: String, shape: [Int]? = nil) -> [UInt8] {
    let dims = (shape ?? [values.count]).map(String.init)
    let tuple = dims.count == 1 ? "(\(dims[0]),)" : "(\(dims.joined(separator: ", ")))"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(tuple), }"
    header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
    let length = header.utf8.count
    var bytes: [UInt8] = [
      0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(length & 0xFF), UInt8(length >> 8),
    ]
    bytes += Array(header.utf8)
    let width = descr.hasSuffix("4") ? 4 : 8
    for value in values {
      var word = (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
      if descr.hasPrefix(">") { word.reverse() }
      bytes += word
    }
    return bytes
  }

  @Test(
    "every integer type and byte order reads back",
    arguments: ["<i4", ">i4", "<i8", ">i8", "<u4", "<u8", ">u8"])
  func roundTrip(descr: String) throws {
    let values =
      descr.contains("u") ? [0, 7, 65_536, 2_000_000_000] : [0, -3, 65_536, -2_000_000_000]
    let array = try NPY.decodeIntegers(Self.file(values, descr: descr, shape: [2, 2]))
    #expect(array.shape == [2, 2])
    #expect(array.values == values)
  }

  @Test("floats, a uint64 beyond Int.max and truncated data are refused")
  func refusals() {
    #expect(throws: NPYError.unsupportedIntegerDType("<f4")) {
      try NPY.decodeIntegers(Self.file([1], descr: "<f4"))
    }
    var huge = Self.file([0], descr: "<u8")
    for i in 0..<8 { huge[huge.count - 1 - i] = 0xFF }
    #expect(throws: NPYError.integerOutOfRange(index: 0)) { try NPY.decodeIntegers(huge) }
    #expect(throws: NPYError.self) {
      try NPY.decodeIntegers(Array(Self.file([1, 2, 3], descr: "<i8").dropLast(3)))
    }
  }
}
