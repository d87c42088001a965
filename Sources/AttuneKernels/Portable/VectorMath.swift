/// The vector type of the portable micro-kernels and of the few vector loops outside them (the
/// non-finite scan): 16 lanes, one AVX-512 register (two AVX2 or four NEON).
package typealias Vector = SIMD16<Float>

/// Lanes per `Vector`.
package let vectorWidth = 16

extension SIMD16 where Scalar == Float {
  /// Loads 16 floats from `pointer`, which need not be aligned.
  @inline(__always)
  package static func load(_ pointer: UnsafePointer<Float>) -> Self {
    UnsafeRawPointer(pointer).loadUnaligned(as: Self.self)
  }

  /// Stores the 16 lanes at `pointer`, which need not be aligned.
  @inline(__always)
  package func store(_ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: self, as: Self.self)
  }
}

/// `a + b · c`, fused into one instruction when the build enables FMA (`ATTUNE_FMA`).
///
/// Without FMA hardware `addingProduct` would call libm's `fmaf` once per lane, so the unfused
/// form is used there instead.
@inline(__always)
package func multiplyAdd(_ a: Vector, _ b: Vector, _ c: Vector) -> Vector {
  #if ATTUNE_FMA
    a.addingProduct(b, c)
  #else
    a + b * c
  #endif
}

/// The lane-wise maximum, as one `vmaxps` (the standard library's `pointwiseMax` is an
/// element-by-element loop that is not vectorised).
/// The sum of the lanes by halving (4 vector adds), not lane by lane as `.sum()` does to keep
/// the order of a sequential sum: the order differs, the result is as accurate.
@inline(__always)
package func horizontalSum(_ v: Vector) -> Float {
  let eight = v.lowHalf + v.highHalf
  let four = eight.lowHalf + eight.highHalf
  let two = four.lowHalf + four.highHalf
  return two[0] + two[1]
}

@inline(__always)
package func maximum(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: b .> a) }

/// The lane-wise minimum, as one `vminps`.
@inline(__always)
package func minimum(_ a: Vector, _ b: Vector) -> Vector { a.replacing(with: b, where: b .< a) }

/// `e^x` for 16 lanes at once, for the softmax.
///
/// Method (Cephes `expf`, S. Moshier): `x = n·ln 2 + r` with `n = round(x / ln 2)` and
/// `|r| ≤ ln 2 / 2` (ln 2 split in two constants so `r` is exact), `e^r` by a degree-7 polynomial,
/// and `2^n` built in the exponent bits. Rounding uses the `1.5 · 2²³` shifter, whose low bits
/// also hold `n`.
///
/// Domain and accuracy (tested against Float64 `exp` in `VectorExpTests`): for
/// `-87.33 ≤ x ≤ 88`, relative error below `3e-7` (about 2.5 ulp); for `x < -87.33`, including
/// `-∞`, exactly `0` (the true value is below the smallest normal float, so the absolute error is
/// under `1.2e-38`); NaN gives NaN. Larger `x` are outside the domain: softmax only passes `x ≤ 0`.
///
/// `@_transparent` rather than the style guide's `@inline(__always)`: with the latter Swift 6.3
/// kept this as a call, which passes each `SIMD16` as four 128-bit registers; inlined, the fused
/// kernel is about 7 % faster at N = 4096 (perf showed 5 % of its time in the call alone).
@_transparent
package func exponential(_ x: Vector) -> Vector {
  let lowest: Float = -87.336_55  // e^lowest ≈ 2^-126, the smallest normal float
  let highest: Float = 88.0
  let shifter: Float = 12_582_912  // 1.5 · 2^23
  let clamped = minimum(maximum(x, Vector(repeating: lowest)), Vector(repeating: highest))
  let shifted = multiplyAdd(Vector(repeating: shifter), clamped, Vector(repeating: 1.442_695_04))
  let n = shifted - Vector(repeating: shifter)
  var r = multiplyAdd(clamped, n, Vector(repeating: -0.693_359_375))
  r = multiplyAdd(r, n, Vector(repeating: 2.121_944_4e-4))
  var p = Vector(repeating: 1.987_569_15e-4)
  p = multiplyAdd(Vector(repeating: 1.398_199_95e-3), p, r)
  p = multiplyAdd(Vector(repeating: 8.333_451_9e-3), p, r)
  p = multiplyAdd(Vector(repeating: 4.166_579_59e-2), p, r)
  p = multiplyAdd(Vector(repeating: 1.666_666_55e-1), p, r)
  p = multiplyAdd(Vector(repeating: 5.000_000_12e-1), p, r)
  p = multiplyAdd(r + 1, p, r * r)
  // shifted's bit pattern is 0x4B40_0000 + n; move n + 127 into the exponent field.
  let shiftedBits = unsafeBitCast(shifted, to: SIMD16<UInt32>.self)
  let bits = (shiftedBits &+ SIMD16(repeating: 127 &- 0x4B40_0000)) &<< 23
  let result = p * unsafeBitCast(bits, to: Vector.self)
  // Below the domain the answer is 0; a NaN argument stays NaN (clamping would hide it).
  return result.replacing(with: 0, where: x .< Vector(repeating: lowest))
    .replacing(with: x, where: x .!= x)
}
