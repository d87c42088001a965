import AttuneNPY
import Testing

/// Files exactly as NumPy 2.4 writes them, decoded.
struct NPYDecodingTests {
  /// `np.save(f, np.array([[1.5, -2, 3], [4, 5, 6.25]], dtype='<f4'))`, NumPy 2.4.6.
  static let version1 = bytes(
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c000004040000080400000a0400000c840"
  )
  /// The same array through `numpy.lib.format.write_array(f, a, version=(3, 0))`.
  static let version3 = bytes(
    "934e554d50590300740000007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a0000c03f000000c000004040000080400000a0400000c840"
  )
  /// `np.save(f, np.array([1.0, -0.5, 1e300], dtype='>f8'))`: big-endian float64, 1-D.
  static let bigEndianFloat64 = bytes(
    "934e554d5059010076007b276465736372273a20273e6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d2020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020200a3ff0000000000000bfe00000000000007e37e43c8800759c"
  )

  static func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
      index = next
    }
    return out
  }

  @Test("version 1.0, little-endian float32")
  func version1() throws {
    let array = try NPY.decode(Self.version1)
    #expect(array.shape == [2, 3])
    #expect(array.values == [1.5, -2, 3, 4, 5, 6.25])
    #expect(array.storedType == .float32)
  }

  @Test("versions 2.0 and 3.0 (4-byte header length)")
  func versions2And3() throws {
    var version2 = Self.version3
    version2[6] = 2
    for file in [version2, Self.version3] {
      let array = try NPY.decode(file)
      #expect(array.shape == [2, 3])
      #expect(array.values == [1.5, -2, 3, 4, 5, 6.25])
    }
  }

  @Test("big-endian float64 is converted, out-of-range values become infinity")
  func bigEndianFloat64() throws {
    let array = try NPY.decode(Self.bigEndianFloat64)
    #expect(array.shape == [3])
    #expect(array.values == [1, -0.5, .infinity])
    #expect(array.storedType == .float64)
    // The finite 1e300 that became ∞ is named, so a caller can refuse it by its value.
    #expect(array.firstOutOfRange == OutOfRangeValue(index: 2, value: 1e300))
    let inRange = try NPY.decode(NPY.encode(try NPYArray(shape: [2], values: [1, .infinity])))
    #expect(inRange.firstOutOfRange == nil, "an infinity stored as such is not out of range")
  }

  @Test("encode then decode gives back shape and values, for ranks 1 to 4")
  func roundTrip() throws {
    for shape in [[5], [2, 3], [1, 1, 4], [2, 1, 3, 2], [0, 4]] {
      let count = shape.reduce(1, *)
      let values = (0..<count).map { Float($0) * 0.37 - 1 }
      let array = try NPYArray(shape: shape, values: values)
      let bytes = NPY.encode(array)
      let headerEnd = 10 + Int(bytes[8]) + Int(bytes[9]) << 8
      #expect(headerEnd % 64 == 0, "the data starts on a 64-byte boundary, as NumPy requires")
      #expect(bytes[headerEnd - 1] == UInt8(ascii: "\n"))
      #expect(try NPY.decode(bytes) == array)
    }
  }

  @Test("the encoder writes NumPy's header text")
  func headerText() throws {
    let bytes = NPY.encode(try NPYArray(shape: [2, 3], values: [1.5, -2, 3, 4, 5, 6.25]))
    let header = String(decoding: bytes[10...], as: UTF8.self)
    #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"))
    #expect(Array(bytes.suffix(24)) == Array(Self.version1.suffix(24)))
  }

  @Test("a header with other spacing, double quotes and key order still parses")
  func lenientHeader() throws {
    let header = #"{"shape":(2,3,),"fortran_order":False,"descr":"<f4"}"#
    let array = try NPY.decode(file(header: header, payload: Array(Self.version1.suffix(24))))
    #expect(array.shape == [2, 3])
  }
}

/// Builds a version 1.0 file around `header`, padded as NumPy pads.
func file(header: String, payload: [UInt8], version: UInt8 = 1) -> [UInt8] {
  var text = header
  while (10 + text.utf8.count + 1) % 64 != 0 { text += " " }
  text += "\n"
  let length = text.utf8.count
  return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, version, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
    + Array(text.utf8) + payload
}

@Suite struct HalfPrecisionTests {
  @Test func everyHalfSurvivesARoundTrip() throws {
    // Write each of the 65 536 half values (as read back by attune) and read them again.
    var values: [Float] = []
    for bits in 0...UInt16.max {
      let bytes: [UInt8] =
        Array(
          NPY.encode(try NPYArray(shape: [1], values: [0]), as: .float16).dropLast(2))
        + [UInt8(bits & 0xFF), UInt8(bits >> 8)]
      let value = try NPY.decode(bytes).values[0]
      values.append(value)
      let again = NPY.encode(try NPYArray(shape: [1], values: [value]), as: .float16).suffix(2)
      let back = UInt16(again.first ?? 0) | UInt16(again.last ?? 0) << 8
      if value.isNaN {
        #expect(back & 0x7C00 == 0x7C00 && back & 0x3FF != 0)
      } else {
        #expect(back == bits, "half \(bits) → \(value) → \(back)")
      }
    }
    #expect(values[0x3C00] == 1 && values[0x7BFF] == 65504 && values[0x0001] == 0x1p-24)
    #expect(values[0xFC00] == -.infinity)
  }

  @Test func floatsRoundToTheNearestHalfTiesToEven() throws {
    func half(_ value: Float) throws -> Float {
      try NPY.decode(NPY.encode(try NPYArray(shape: [1], values: [value]), as: .float16))
        .values[0]
    }
    #expect(try half(1 + 0x1p-11) == 1)  // a tie: down to the even 1
    #expect(try half(1 + 3 * 0x1p-11) == 1 + 0x1p-9)  // a tie: up to the even neighbour
    #expect(try half(1 + 0x1p-11 + 0x1p-20) == 1 + 0x1p-10)
    #expect(try half(65520) == .infinity)  // beyond the largest half, rounded up
    #expect(try half(65519) == 65504)
    #expect(try half(0x1p-25) == 0)  // a tie at the smallest subnormal: to even zero
    #expect(try half(0x1p-25 + 0x1p-30) == 0x1p-24)
  }
}
