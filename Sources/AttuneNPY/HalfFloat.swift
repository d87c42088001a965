/// IEEE 754 binary16 conversions by bit manipulation, so `.npy` float16 works on every platform
/// (Swift's `Float16` is missing on x86-64 macOS).
enum HalfFloat {
  /// The Float32 value of half-precision `bits` (exact: every half is a float).
  static func float(_ bits: UInt16) -> Float {
    let sign: Float = bits & 0x8000 != 0 ? -1 : 1
    let exponent = Int((bits >> 10) & 0x1F)
    let mantissa = UInt32(bits & 0x3FF)
    if exponent == 0 { return sign * Float(mantissa) * 0x1p-24 }  // zero and subnormals
    if exponent == 0x1F {
      return mantissa == 0
        ? sign * .infinity
        : Float(bitPattern: (bits & 0x8000 != 0 ? 0x8000_0000 : 0) | 0x7FC0_0000 | mantissa << 13)
    }
    let pattern =
      (bits & 0x8000 != 0 ? UInt32(0x8000_0000) : 0) | UInt32(exponent - 15 + 127) << 23
      | mantissa << 13
    return Float(bitPattern: pattern)
  }

  /// `value` rounded to the nearest half (ties to even); overflow gives ±∞, NaN stays NaN.
  static func bits(_ value: Float) -> UInt16 {
    let x = value.bitPattern
    let sign = UInt16((x >> 16) & 0x8000)
    let exponent = Int((x >> 23) & 0xFF)
    var mantissa = x & 0x7F_FFFF
    if exponent == 0xFF {  // infinity or NaN (kept quiet)
      return sign | 0x7C00 | (mantissa != 0 ? 0x200 | UInt16(mantissa >> 13) : 0)
    }
    let e = exponent - 127 + 15
    if e >= 0x1F { return sign | 0x7C00 }
    if e <= 0 {  // a half subnormal, or zero
      if e < -10 { return sign }
      mantissa |= 0x80_0000
      let shift = UInt32(14 - e)
      var half = mantissa >> shift
      let remainder = mantissa & ((1 << shift) - 1)
      let halfway = UInt32(1) << (shift - 1)
      if remainder > halfway || (remainder == halfway && half & 1 != 0) { half += 1 }
      return sign | UInt16(half)
    }
    var half = UInt32(e) << 10 | mantissa >> 13
    let remainder = mantissa & 0x1FFF
    // A carry out of the mantissa moves into the exponent, which is the right rounding.
    if remainder > 0x1000 || (remainder == 0x1000 && half & 1 != 0) { half += 1 }
    return sign | UInt16(half)
  }
}
