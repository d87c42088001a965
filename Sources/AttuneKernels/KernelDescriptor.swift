/// What the catalog knows about one kernel: its name, what it does, its parameters, and how to
/// build an instance from parameter values.
public struct KernelDescriptor: Sendable {
  /// The kernel's name (`naive`, `blocked`, `parallel`, `simd`, `fused`).
  public let name: String
  /// One line on how it computes attention.
  public let summary: String
  /// Its tunable parameters, in display order.
  public let parameters: [KernelParameter]
  private let factory: @Sendable ([String: Int]) throws(AttentionError) -> any AttentionKernel

  /// Creates a descriptor; `factory` receives only names listed in `parameters`.
  public init(
    name: String, summary: String, parameters: [KernelParameter],
    factory: @escaping @Sendable ([String: Int]) throws(AttentionError) -> any AttentionKernel
  ) {
    self.name = name
    self.summary = summary
    self.parameters = parameters
    self.factory = factory
  }

  /// Builds an instance; parameters not given take their defaults.
  ///
  /// - Throws: `AttentionError.unknownParameter` for a name the kernel does not take, or
  ///   `AttentionError.invalidParameter` for a value out of range.
  public func make(_ values: [String: Int] = [:]) throws(AttentionError) -> any AttentionKernel {
    let known = parameters.map(\.name)
    for key in values.keys.sorted() where !known.contains(key) {
      throw .unknownParameter(kernel: name, parameter: key, known: known)
    }
    return try factory(values)
  }

  /// The value for `parameter`: the one given, checked against its range, or its default.
  static func value(
    _ parameter: KernelParameter, in values: [String: Int], kernel: String
  ) throws(AttentionError) -> Int {
    guard let given = values[parameter.name] else { return parameter.defaultValue }
    return try parameter.checked(given, kernel: kernel)
  }
}
