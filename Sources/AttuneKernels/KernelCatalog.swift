/// The built-in kernels, by name, so the command line, the benchmark and the tuner can list and
/// build any of them the same way.
public enum KernelCatalog {
  /// The five built-in kernels, slowest first.
  public static let builtIn: [KernelDescriptor] = [
    NaiveAttention.descriptor, BlockedAttention.descriptor, ParallelAttention.descriptor,
    SIMDAttention.descriptor, FusedAttention.descriptor,
  ]

  /// The names of the built-in kernels.
  public static var names: [String] { builtIn.map(\.name) }

  /// The descriptor named `name`.
  ///
  /// - Throws: `AttentionError.unknownKernel` listing the known names.
  public static func descriptor(named name: String) throws(AttentionError) -> KernelDescriptor {
    guard let found = builtIn.first(where: { $0.name == name }) else {
      throw .unknownKernel(name: name, known: names)
    }
    return found
  }

  /// Builds the kernel `name` with `values`; parameters not given take their defaults.
  ///
  /// - Throws: `AttentionError.unknownKernel`, `.unknownParameter` or `.invalidParameter`.
  public static func make(
    _ name: String, _ values: [String: Int] = [:]
  ) throws(AttentionError) -> any AttentionKernel {
    try descriptor(named: name).make(values)
  }
}
