internal import _AttuneMicroKernels

/// IEEE binary16 conversions as bit patterns (the `Float16` type is missing on macOS x86_64),
/// in portable C: what the KV cache stores for Float16.
package enum HalfPrecision {
  /// The bit pattern of the half nearest `x`: ties to even, ±infinity at or beyond 65520.
  @inline(__always)
  package static func bits(_ x: Float) -> UInt16 { attune_f16_from_f32(x) }

  /// The float a half's bit pattern stands for (exact).
  @inline(__always)
  package static func value(_ bits: UInt16) -> Float { attune_f32_from_f16(bits) }
}
