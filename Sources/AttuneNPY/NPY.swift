import AttuneFiles

/// Reading and writing NumPy's `.npy` format, versions 1.0 to 3.0.
///
/// Reads C-order float16, float32, float64 and boolean arrays of 1 to 4 dimensions, in either
/// byte order, converting to Float32 (float16 exactly, float64 rounded to nearest, booleans to 0
/// and 1). Writes little-endian float32 or float16 in version 1.0 (2.0 when the header would not
/// fit), as `numpy.save` does. Anything else is refused with an `NPYError`
/// that says what was found. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
public enum NPY {
  private static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

  /// Decodes the bytes of an `.npy` file.
  ///
  /// - Throws: `NPYError` for a bad magic string, version, header, dtype, order, rank, or a data
  ///   length that disagrees with the shape.
  /// - Complexity: O(n) in the file's length.
  public static func decode(_ bytes: [UInt8]) throws(NPYError) -> NPYArray {
    let (header, headerEnd) = try parseHeader(bytes)
    let width: Int
    let bigEndian: Bool
    switch header.descr {
    case "<f2": (width, bigEndian) = (2, false)
    case ">f2": (width, bigEndian) = (2, true)
    case "|b1", "<b1", ">b1": (width, bigEndian) = (1, false)
    case "<f4": (width, bigEndian) = (4, false)
    case ">f4": (width, bigEndian) = (4, true)
    case "<f8": (width, bigEndian) = (8, false)
    case ">f8": (width, bigEndian) = (8, true)
    default: throw .unsupportedDType(header.descr)
    }
    guard !header.fortranOrder else { throw .fortranOrder }
    guard (1...4).contains(header.shape.count) else {
      throw .unsupportedRank(header.shape.count)
    }
    guard let count = NPYArray.elementCount(header.shape),
      !count.multipliedReportingOverflow(by: width).overflow
    else { throw .shapeTooLarge(header.shape) }

    let dataStart = headerEnd
    try checkLength(bytes, dataStart: dataStart, expected: count * width)

    var outOfRange: (index: Int, value: Double)?
    let values = bytes.withUnsafeBytes { raw in
      [Float](unsafeUninitializedCapacity: count) { out, initialized in
        initialized = 0
        guard let base = raw.baseAddress, count > 0 else { return }
        let data = base + dataStart
        if width == 1 {
          for i in 0..<count { out[i] = data.load(fromByteOffset: i, as: UInt8.self) != 0 ? 1 : 0 }
        } else if width == 2 {
          for i in 0..<count {
            let bits = data.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)
            out[i] = HalfFloat.float(bigEndian ? bits.byteSwapped : UInt16(littleEndian: bits))
          }
        } else if width == 4 {
          for i in 0..<count {
            let bits = data.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
            out[i] = Float(bitPattern: bigEndian ? bits.byteSwapped : UInt32(littleEndian: bits))
          }
        } else {
          for i in 0..<count {
            let bits = data.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
            let value = Double(
              bitPattern: bigEndian ? bits.byteSwapped : UInt64(littleEndian: bits))
            out[i] = Float(value)
            if outOfRange == nil, value.isFinite, !out[i].isFinite { outOfRange = (i, value) }
          }
        }
        initialized = count
      }
    }
    var array = try NPYArray(
      shape: header.shape, values: values,
      storedType: [1: .bool, 2: .float16, 4: .float32][width] ?? .float64)
    array.firstOutOfRange = outOfRange.map { OutOfRangeValue(index: $0.index, value: $0.value) }
    return array
  }

  /// The header of an `.npy` file and where its data starts.
  private static func parseHeader(_ bytes: [UInt8]) throws(NPYError) -> (NPYHeader, Int) {
    guard bytes.count >= 8 else {
      throw bytes.starts(with: magic.prefix(bytes.count)) && !bytes.isEmpty
        ? .truncatedHeader : .notNPY
    }
    guard bytes.starts(with: magic) else { throw .notNPY }
    let (major, minor) = (Int(bytes[6]), Int(bytes[7]))
    guard [1, 2, 3].contains(major), minor == 0 else {
      throw .unsupportedVersion(major: major, minor: minor)
    }
    let lengthBytes = major == 1 ? 2 : 4
    guard bytes.count >= 8 + lengthBytes else { throw .truncatedHeader }
    var headerLength = 0
    for i in 0..<lengthBytes { headerLength |= Int(bytes[8 + i]) << (8 * i) }
    let headerStart = 8 + lengthBytes
    guard bytes.count - headerStart >= headerLength else { throw .truncatedHeader }
    let headerBytes = bytes[headerStart..<headerStart + headerLength]
    // Version 3.0 headers are UTF-8; 1.0 and 2.0 are Latin-1, which for a valid header is ASCII.
    guard major == 3 || headerBytes.allSatisfy({ $0 < 0x80 }) else {
      throw .malformedHeader("non-ASCII bytes in a version \(major).0 header")
    }
    let header = try NPYHeader.parse(String(decoding: headerBytes, as: UTF8.self))
    return (header, headerStart + headerLength)
  }

  /// Throws unless the data after `dataStart` is exactly `expected` bytes.
  private static func checkLength(_ bytes: [UInt8], dataStart: Int, expected: Int)
    throws(NPYError)
  {
    let actual = bytes.count - dataStart
    if actual < expected { throw .truncatedData(expectedBytes: expected, actualBytes: actual) }
    if actual > expected { throw .trailingData(expectedBytes: expected, actualBytes: actual) }
  }

  /// Decodes an `.npy` file of integers: int32, int64, uint32 or uint64, either byte order, 1 to
  /// 4 dimensions, C order (as sequence offsets are stored).
  ///
  /// - Throws: `NPYError` as `decode`, `.unsupportedIntegerDType` for any other type, and
  ///   `.integerOutOfRange` for a uint64 value beyond `Int.max`.
  public static func decodeIntegers(_ bytes: [UInt8]) throws(NPYError) -> NPYIntegers {
    let (header, dataStart) = try parseHeader(bytes)
    let descr = header.descr
    guard descr.count == 3, let order = descr.first, "<>|=".contains(order),
      ["i4", "i8", "u4", "u8"].contains(String(descr.dropFirst()))
    else { throw .unsupportedIntegerDType(descr) }
    let bigEndian = order == ">"
    let signed = descr.dropFirst().first == "i"
    let width = descr.last == "4" ? 4 : 8
    guard !header.fortranOrder else { throw .fortranOrder }
    guard (1...4).contains(header.shape.count) else { throw .unsupportedRank(header.shape.count) }
    guard let count = NPYArray.elementCount(header.shape),
      !count.multipliedReportingOverflow(by: width).overflow
    else { throw .shapeTooLarge(header.shape) }
    try checkLength(bytes, dataStart: dataStart, expected: count * width)
    var values = [Int]()
    values.reserveCapacity(count)
    // The index of a uint64 beyond Int.max, if any.
    let outside: Int? = bytes.withUnsafeBytes { raw in
      guard let base = raw.baseAddress else { return nil }
      let data = base + dataStart
      for i in 0..<count {
        if width == 4 {
          let bits = data.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)
          let word = bigEndian ? bits.byteSwapped : UInt32(littleEndian: bits)
          values.append(signed ? Int(Int32(bitPattern: word)) : Int(word))
        } else {
          let bits = data.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)
          let word = bigEndian ? bits.byteSwapped : UInt64(littleEndian: bits)
          guard signed || word <= UInt64(Int.max) else { return i }
          values.append(signed ? Int(Int64(bitPattern: word)) : Int(word))
        }
      }
      return nil
    }
    if let outside { throw .integerOutOfRange(index: outside) }
    return NPYIntegers(shape: header.shape, values: values)
  }

  /// Reads an `.npy` file of integers (see `decodeIntegers`).
  ///
  /// - Throws: `NPYError.unreadable`, or a format error from `decodeIntegers`.
  public static func readIntegers(path: String) throws(NPYError) -> NPYIntegers {
    let bytes: [UInt8]
    do throws(FileError) { bytes = try FileIO.read(path: path) } catch { throw NPYError(error) }
    return try decodeIntegers(bytes)
  }

  /// The element types `encode` writes.
  public enum Encoding: Sendable {
    /// `<f4`.
    case float32
    /// `<f2`, each value rounded to nearest even.
    case float16
  }

  /// Encodes `array` as a little-endian float32 (or float16) `.npy` file, as `numpy.save` writes
  /// it.
  ///
  /// - Complexity: O(n) in the element count.
  public static func encode(_ array: NPYArray, as encoding: Encoding = .float32) -> [UInt8] {
    var header = NPYHeader.text(
      shape: array.shape, descr: encoding == .float16 ? "<f2" : "<f4")
    // magic (6) + version (2) + length (2 or 4) + header + "\n", padded to a multiple of 64.
    let major: UInt8 = header.utf8.count + 11 <= 65_535 ? 1 : 2
    let preamble = major == 1 ? 10 : 12
    let padding = (64 - (preamble + header.utf8.count + 1) % 64) % 64
    header += String(repeating: " ", count: padding) + "\n"
    let headerLength = header.utf8.count
    var bytes = magic + [major, 0]
    for i in 0..<(preamble - 8) { bytes.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
    bytes += Array(header.utf8)
    bytes.reserveCapacity(bytes.count + array.values.count * (encoding == .float16 ? 2 : 4))
    for value in array.values {
      if encoding == .float16 {
        let bits = HalfFloat.bits(value).littleEndian
        withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
      } else {
        let bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
      }
    }
    return bytes
  }

  /// Reads the `.npy` file at `path`.
  ///
  /// - Throws: `NPYError.unreadable` if the file cannot be read, or a format error from `decode`.
  public static func read(path: String) throws(NPYError) -> NPYArray {
    let bytes: [UInt8]
    do throws(FileError) { bytes = try FileIO.read(path: path) } catch { throw NPYError(error) }
    return try decode(bytes)
  }

  /// Writes `array` to `path` atomically: the file either appears whole or is left as it was.
  ///
  /// - Throws: `NPYError.unwritable` saying why.
  public static func write(
    _ array: NPYArray, path: String, as encoding: Encoding = .float32
  ) throws(NPYError) {
    do throws(FileError) {
      try FileIO.writeAtomically(encode(array, as: encoding), to: path)
    } catch {
      throw NPYError(error)
    }
  }
}
