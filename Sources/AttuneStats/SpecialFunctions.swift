#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The special functions the distributions need, in Float64.
enum SpecialFunctions {
  /// Natural logarithm.
  static func log(_ x: Double) -> Double { libmLog(x) }

  /// `e^x`.
  static func exp(_ x: Double) -> Double { libmExp(x) }

  /// `ln Γ(x)` for `x > 0`.
  static func logGamma(_ x: Double) -> Double { lgamma(x) }

  /// The standard normal CDF, `Φ(z) = erfc(−z/√2) / 2`, accurate in both tails.
  static func normalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

  /// The standard normal quantile, `Φ⁻¹(p)` for `0 < p < 1`, by bisection on `Φ` to full precision.
  static func normalQuantile(_ p: Double) -> Double {
    var low = -40.0
    var high = 40.0
    for _ in 0..<200 {
      let middle = (low + high) / 2
      if middle == low || middle == high { break }
      if normalCDF(middle) < p { low = middle } else { high = middle }
    }
    return (low + high) / 2
  }

  /// The regularized incomplete beta function `I_x(a, b)`, given `x` and `1 − x` separately so a
  /// caller that knows `1 − x` more precisely than `x` loses nothing.
  ///
  /// Continued fraction of DiDonato–Morris form evaluated with the modified Lentz method (Press et
  /// al., *Numerical Recipes*, 3rd ed., §6.4), using `I_x(a,b) = 1 − I_{1−x}(b,a)` where the
  /// fraction converges slowly. Relative accuracy about 1e-15.
  static func incompleteBeta(a: Double, b: Double, x: Double, oneMinusX y: Double) -> Double {
    if x <= 0 { return 0 }
    if y <= 0 { return 1 }
    let logFront =
      logGamma(a + b) - logGamma(a) - logGamma(b) + a * libmLog(x) + b * libmLog(y)
    if x < (a + 1) / (a + b + 2) {
      return libmExp(logFront) * continuedFraction(a: a, b: b, x: x) / a
    }
    return 1 - libmExp(logFront) * continuedFraction(a: b, b: a, x: y) / b
  }

  /// The continued fraction of `I_x(a, b)` (modified Lentz).
  private static func continuedFraction(a: Double, b: Double, x: Double) -> Double {
    let tiny = 1e-300
    let epsilon = 1e-16
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...1000 {
      let m = Double(m)
      let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
      d = 1 + even * d
      if abs(d) < tiny { d = tiny }
      c = 1 + even / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
      d = 1 + odd * d
      if abs(d) < tiny { d = tiny }
      c = 1 + odd / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let delta = d * c
      h *= delta
      if abs(delta - 1) < epsilon { break }
    }
    return h
  }
}

private func libmLog(_ x: Double) -> Double { log(x) }
private func libmExp(_ x: Double) -> Double { exp(x) }
