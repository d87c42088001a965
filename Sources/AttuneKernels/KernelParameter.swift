/// The description of one tunable kernel parameter: its name, meaning, default and valid range.
public struct KernelParameter: Sendable, Hashable {
  /// The name used in settings and by the command line (`blockSize`, `blockQ`, `threads`).
  public let name: String
  /// What it controls, one line.
  public let summary: String
  /// The value used when none is given.
  public let defaultValue: Int
  /// The accepted values.
  public let range: ClosedRange<Int>

  /// Creates a parameter description.
  public init(name: String, summary: String, defaultValue: Int, range: ClosedRange<Int>) {
    self.name = name
    self.summary = summary
    self.defaultValue = defaultValue
    self.range = range
  }

  /// Returns `value` if it lies in `range`.
  ///
  /// - Throws: `AttentionError.invalidParameter` naming `kernel`, the parameter and the range.
  public func checked(_ value: Int, kernel: String) throws(AttentionError) -> Int {
    guard range.contains(value) else {
      throw .invalidParameter(
        kernel: kernel, parameter: name, value: value,
        reason: "must lie in \(range.lowerBound)...\(range.upperBound)")
    }
    return value
  }

  // MARK: - The parameters the built-in kernels share

  /// Largest accepted thread count.
  public static let maximumThreads = 256

  /// Worker threads; defaults to the active processor count.
  public static let threads = KernelParameter(
    name: "threads", summary: "worker threads (default: active processors)",
    defaultValue: Platform.activeProcessorCount, range: 1...maximumThreads)

  /// Query rows per block for the report-style kernels.
  public static func blockSize(defaultValue: Int) -> KernelParameter {
    KernelParameter(
      name: "blockSize", summary: "query rows per block", defaultValue: defaultValue,
      range: 1...(1 << 20))
  }
}
