import AttuneKernels

/// What a wisdom entry must match to apply: the machine, Attune's version and the build.
public struct WisdomContext: Sendable, Hashable, Codable {
  /// The machine.
  public var machine: MachineFingerprint
  /// Attune's version.
  public var attuneVersion: String
  /// How the kernels were compiled and which micro-kernels they run on, as in
  /// `release avx2-fma 6x16 x86_64`.
  public var build: String

  /// A context from its parts.
  public init(machine: MachineFingerprint, attuneVersion: String, build: String) {
    self.machine = machine
    self.attuneVersion = attuneVersion
    self.build = build
  }

  /// This machine, this Attune, this build.
  public static func current() -> WisdomContext {
    WisdomContext(
      machine: .current(), attuneVersion: BuildInfo.version,
      build:
        "\(BuildInfo.configuration) \(BuildInfo.microKernels)\(BuildInfo.fusedMultiplyAdd ? "" : " no-fma") \(BuildInfo.architecture)"
    )
  }

  /// Why an entry made in `other` does not apply here, or nil if it does.
  public func mismatch(with other: WisdomContext) -> String? {
    if other.machine.id != machine.id {
      return
        "another machine (fingerprint \(other.machine.id): \(other.machine.description); this one is \(machine.id))"
    }
    if other.attuneVersion != attuneVersion {
      return "another Attune version (\(other.attuneVersion); this is \(attuneVersion))"
    }
    if other.build != build { return "another build (\(other.build); this is \(build))" }
    return nil
  }
}
