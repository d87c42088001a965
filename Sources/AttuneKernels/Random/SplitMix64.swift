/// A small, fast, seeded random number generator (Steele, Lea and Flood, "Fast splittable
/// pseudorandom number generators", OOPSLA 2014), so random inputs replay exactly from a seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  /// A generator whose whole sequence is fixed by `seed`.
  public init(seed: UInt64) { state = seed }

  /// The next 64 random bits.
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A standard normal sample (Box–Muller).
  public mutating func nextGaussian() -> Float {
    // u1 in (0, 1] so the logarithm is finite.
    let u1 = Double(next() >> 11 + 1) * 0x1p-53
    let u2 = Double(next() >> 11) * 0x1p-53
    return Float((-2 * Platform.log(u1)).squareRoot() * Platform.cos(2 * .pi * u2))
  }
}
