/// Rounding Float32 to bfloat16, the upper 16 bits of a Float32 (8 exponent bits, 7 stored
/// significand bits).
package enum BFloat16Rounding {
  /// The bfloat16 nearest `x`, ties to even, as its 16 bits. NaN stays NaN (made quiet);
  /// values beyond the largest bfloat16 (about 3.39·10³⁸) round to infinity, as IEEE rounding does.
  @inline(__always)
  package static func bits(_ x: Float) -> UInt16 {
    let b = x.bitPattern
    if x.isNaN { return UInt16(truncatingIfNeeded: b >> 16) | 0x0040 }
    let rounded = b &+ 0x7FFF &+ ((b >> 16) & 1)
    return UInt16(truncatingIfNeeded: rounded >> 16)
  }

  /// `x` rounded to the nearest bfloat16, as a Float32.
  @inline(__always)
  package static func rounded(_ x: Float) -> Float {
    Float(bitPattern: UInt32(bits(x)) << 16)
  }

  /// Two values as one 32-bit word: `low`'s bits in the low half, as `vdpbf16ps` pairs them.
  @inline(__always)
  package static func pair(_ low: Float, _ high: Float) -> UInt32 {
    UInt32(bits(low)) | UInt32(bits(high)) << 16
  }
}
