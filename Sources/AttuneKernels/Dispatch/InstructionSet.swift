#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The instruction sets Attune has micro-kernels for. One binary carries all of its
/// architecture's; at run time the best one the CPU supports is used, unless the `ATTUNE_ISA`
/// environment variable or `AttentionOptions.instructionSet` asks for another.
public enum InstructionSet: String, Sendable, Hashable, CaseIterable, Codable,
  CustomStringConvertible
{
  /// Generic Swift SIMD code: any CPU, the fallback.
  case portable
  /// x86-64 AVX2 with FMA3 (16 × 256-bit registers): Haswell and later, every Zen.
  case avx2
  /// x86-64 AVX-512 Foundation (32 × 512-bit registers): Skylake-SP and later servers, Zen 4 and 5.
  case avx512
  /// arm64 Advanced SIMD (32 × 128-bit registers): every arm64 CPU, Apple Silicon included.
  case neon

  /// The name used by `ATTUNE_ISA` and `--isa`: `portable`, `avx2`, `avx512`, `neon`.
  public var description: String { rawValue }

  /// The micro-kernel entry's name, with its instruction set and tile geometry (for reports and
  /// wisdom keys): e.g. `avx2-fma 6x16`.
  public var entryName: String { MicroKernelTable.entry(self)?.name ?? rawValue }

  /// Whether this CPU runs the instruction set's micro-kernels.
  public var isSupported: Bool { MicroKernelTable.entry(self) != nil }

  /// The instruction sets this CPU runs, best first (the portable one last, always there).
  public static var supported: [InstructionSet] {
    [.avx512, .neon, .avx2, .portable].filter(\.isSupported)
  }

  /// The best instruction set this CPU runs.
  public static let best: InstructionSet = supported[0]

  /// The instruction set calls use when they name none: `ATTUNE_ISA` if it is set and this CPU
  /// runs it, else `best`.
  ///
  /// - Throws: `AttentionError.unknownInstructionSet` or `.unsupportedInstructionSet` when
  ///   `ATTUNE_ISA` names no instruction set, or one this CPU lacks.
  public static func active() throws(AttentionError) -> InstructionSet {
    try environmentChoice.get() ?? best
  }

  /// Parses a name as `ATTUNE_ISA` and `--isa` take it.
  ///
  /// - Throws: `AttentionError.unknownInstructionSet` if it names none.
  public init(parsing name: String) throws(AttentionError) {
    guard let value = Self(rawValue: name.lowercased()) else {
      throw .unknownInstructionSet(name: name, known: Self.allCases.map(\.rawValue))
    }
    self = value
  }

  /// Checks that this CPU runs the instruction set.
  ///
  /// - Throws: `AttentionError.unsupportedInstructionSet` if it does not.
  public func checkSupported() throws(AttentionError) {
    guard isSupported else {
      throw .unsupportedInstructionSet(
        name: rawValue, supported: Self.supported.map(\.rawValue))
    }
  }

  /// `ATTUNE_ISA`, read once: nil when unset or empty.
  static let environmentChoice: Result<InstructionSet?, AttentionError> = {
    guard let value = getenv("ATTUNE_ISA").map({ String(cString: $0) }), !value.isEmpty else {
      return .success(nil)
    }
    return Result { () throws(AttentionError) -> InstructionSet? in
      let choice = try InstructionSet(parsing: value)
      try choice.checkSupported()
      return choice
    }
  }()
}
