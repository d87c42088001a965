#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Float64 functions from the C library, for the oracle and accuracy tests.
public enum OracleMath {
  /// `e^x` in Float64.
  public static func exp(_ x: Double) -> Double { libmExp(x) }

  /// `ln x` in Float64.
  public static func log(_ x: Double) -> Double { libmLog(x) }
}

private func libmExp(_ x: Double) -> Double { exp(x) }
private func libmLog(_ x: Double) -> Double { log(x) }
