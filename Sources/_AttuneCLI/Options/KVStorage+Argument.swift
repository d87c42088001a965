import ArgumentParser
import AttuneKernels

/// `--kv-storage float32|float16|int8`.
extension KVStorage: ExpressibleByArgument {
  /// Parses a storage name, in any case.
  public init?(argument: String) { self.init(rawValue: argument.lowercased()) }
}
