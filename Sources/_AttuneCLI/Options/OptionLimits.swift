import ArgumentParser

/// The ranges of the numeric options, checked before anything is allocated or measured.
///
/// Counts are capped where a larger value could only exhaust memory or outlast any session (a
/// simulation of 10⁹ trials needs 30 GB before its first trial); sizes are capped so that no
/// product of them overflows while memory is estimated (the estimate then refuses what does not
/// fit); durations are finite. Each refusal is one `Error:` line naming the range, status 64.
enum OptionLimits {
  /// The most tokens, heads or features along one dimension: 2²⁴.
  static let dimension = 1 << 24
  /// The longest budget or time limit: one week.
  static let seconds = 7.0 * 24 * 3600

  /// Checks that `value` lies in `range`.
  static func count(_ value: Int, _ flag: String, _ range: ClosedRange<Int>) throws {
    guard range.contains(value) else {
      throw ValidationError(
        "\(flag) must lie in \(range.lowerBound)...\(range.upperBound), got \(value)")
    }
  }

  /// Checks a size along one dimension (1...2²⁴), when given.
  static func dimension(_ value: Int?, _ flag: String) throws {
    if let value { try count(value, flag, 1...dimension) }
  }

  /// Checks a duration in seconds: finite, positive (or zero when `zeroAllowed`), at most a week.
  static func seconds(_ value: Double, _ flag: String, zeroAllowed: Bool = false) throws {
    guard value.isFinite, zeroAllowed ? value >= 0 : value > 0, value <= seconds else {
      throw ValidationError(
        "\(flag) must be a number of seconds in \(zeroAllowed ? "[0" : "(0"), \(Int(seconds))], got \(value)"
      )
    }
  }
}
