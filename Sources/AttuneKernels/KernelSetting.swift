/// One named integer parameter value of a kernel instance, such as `blockSize = 64`.
public struct KernelSetting: Hashable, Sendable, Codable {
  /// The parameter's name, as `attune` flags and the catalog spell it.
  public var name: String
  /// Its value.
  public var value: Int

  /// Creates a setting.
  public init(_ name: String, _ value: Int) {
    self.name = name
    self.value = value
  }
}
