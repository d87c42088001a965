/// Everything a caller can get wrong when asking for attention.
///
/// Each case says what was wrong and with which value; `description` is one line for a person.
public enum AttentionError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A size is below 1 (`name` is `Nq`, `Nk`, `dk` or `dv`).
  case emptyDimension(name: String, value: Int)
  /// An element count does not fit in memory addresses.
  case sizeOverflow(shape: String)
  /// A buffer's length disagrees with the shape.
  case shapeMismatch(tensor: String, expected: Int, actual: Int)
  /// An input holds NaN or ±infinity and the policy is `.reject`.
  case nonFiniteInput(tensor: String, index: Int, value: String)
  /// The score scale is NaN or infinite.
  case invalidScale(String)
  /// A kernel parameter is out of its range.
  case invalidParameter(kernel: String, parameter: String, value: Int, reason: String)
  /// No kernel has this name.
  case unknownKernel(name: String, known: [String])
  /// The kernel has no parameter of this name.
  case unknownParameter(kernel: String, parameter: String, known: [String])
  /// Memory for `what` (inputs, the output, a kernel's scratch) exceeds the machine's.
  case insufficientMemory(what: String, requiredBytes: Int, availableBytes: Int)
  /// Query heads that are not a multiple of key/value heads.
  case invalidHeads(String)
  /// A mask or bias that cannot apply (a window below one key, a bias of the wrong size).
  case invalidMask(String)
  /// Sequence offsets of a ragged batch that do not describe one (decreasing, not starting at 0,
  /// of different counts, or a sequence with queries and no keys).
  case invalidOffsets(String)
  /// A `KVCache` has no such sequence (never added, or removed).
  case unknownSequence(id: Int)
  /// A finite value too large for the cache's storage (beyond float16's 65504).
  case beyondStorageRange(tensor: String, index: Int, value: String, storage: String)
  /// The kernel cannot honour a requested feature (a mask, a bias, log-sum-exp output).
  case unsupportedFeature(kernel: String, feature: String)
  /// No instruction set has this name (from `ATTUNE_ISA` or `--isa`).
  case unknownInstructionSet(name: String, known: [String])
  /// The CPU does not run the instruction set asked for.
  case unsupportedInstructionSet(name: String, supported: [String])
  /// A result is beyond Float32's range though the inputs are finite (a log-sum-exp above
  /// 3.4e38, from a huge scale).
  case outputOverflow(tensor: String, index: Int, value: String)

  /// One line saying what was wrong.
  public var description: String {
    switch self {
    case .emptyDimension(let name, let value):
      return "\(name) must be at least 1, got \(value)"
    case .sizeOverflow(let shape):
      return "the tensors of shape \(shape) are too large to address"
    case .shapeMismatch(let tensor, let expected, let actual):
      return "\(tensor) has \(actual) elements, the shape needs \(expected)"
    case .nonFiniteInput(let tensor, let index, let value):
      return "\(tensor) holds \(value) at flat index \(index); inputs must be finite"
    case .invalidScale(let value):
      return "the scale must be finite, got \(value)"
    case .invalidParameter(let kernel, let parameter, let value, let reason):
      return "\(kernel): \(parameter) = \(value) is invalid: \(reason)"
    case .unknownKernel(let name, let known):
      return "no kernel named '\(name)'; known: \(known.joined(separator: ", "))"
    case .unknownParameter(let kernel, let parameter, let known):
      let list = known.isEmpty ? "it takes none" : "it takes \(known.joined(separator: ", "))"
      return "\(kernel) has no parameter '\(parameter)'; \(list)"
    case .invalidMask(let reason): return "invalid mask: \(reason)"
    case .invalidHeads(let reason): return "invalid heads: \(reason)"
    case .invalidOffsets(let reason): return "invalid sequence offsets: \(reason)"
    case .unknownSequence(let id):
      return "the KV cache has no sequence \(id) (never added, or removed)"
    case .beyondStorageRange(let tensor, let index, let value, let storage):
      return "\(tensor)[\(index)] = \(value) is beyond what \(storage) storage holds"
    case .unsupportedFeature(let kernel, let feature):
      return "the \(kernel) kernel does not support \(feature); use fused or naive"
    case .unknownInstructionSet(let name, let known):
      return "no instruction set named '\(name)'; known: \(known.joined(separator: ", "))"
    case .unsupportedInstructionSet(let name, let supported):
      return
        "this CPU does not run the \(name) micro-kernels; it runs \(supported.joined(separator: ", "))"
    case .outputOverflow(let tensor, let index, let value):
      return
        "\(tensor)[\(index)] would be \(value), beyond float32's range; use a smaller --scale or smaller inputs"
    case .insufficientMemory(let what, let required, let available):
      return
        "\(what) would need \(required / (1 << 20)) MiB; the machine has \(available / (1 << 20)) MiB"
    }
  }
}
