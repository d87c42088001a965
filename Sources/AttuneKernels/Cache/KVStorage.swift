/// How a `KVCache` stores keys and values. Arithmetic is Float32 in every case: stored rows are
/// widened as they are read.
///
/// On the output of attention (standard normal Q, K and V), the largest error measured against
/// the exact result is 2.3e-4 · max|V| for `float16` and 3.1e-3 · max|V| for `int8` (dk = 64,
/// `scripts/bench/check_against_torch.py`; 2.8e-3 in `KVCacheTests`). The kernels add about
/// 1e-7 · max|V| to the exact result on the stored values, except on AVX512-VNNI, whose 8-bit
/// kernels round each query as a key is stored and each value weight to 15 bits (3.6e-3 against
/// PyTorch; `MicroKernelTable.decodeInt8QueryBits`, `productsInt8WeightRounding`).
///
/// - `float32`: exact; 4 bytes per element.
/// - `float16`: IEEE binary16, rounded to nearest; 2 bytes per element. Relative error at most
///   2⁻¹¹ ≈ 4.9e-4 per element for magnitudes in [6.1e-5, 65504]; larger magnitudes are
///   refused when appended, smaller ones keep an absolute error of at most 2⁻²⁵ ≈ 3e-8.
/// - `int8`: each row cut into blocks of 32 features (the last one partial), each block stored as
///   8-bit integers in −127...127 with one Float32 scale, `max|x| / 127` of the block (as
///   llama.cpp's `q8_0`); 1 byte per element plus 4 bytes per block (1.125 bytes per element
///   at 32 features). The error per element is at most half a step, `max|x| / 254` of its
///   block. Blocks along the row rather than one scale per row: keys often have a few features
///   much larger than the rest, and a per-row scale would give every feature those features'
///   step. Keys are laid out in groups of 8 tokens along the lanes (`PageGeometry`), so a
///   block's scales cost one multiply-add per query row and 8 keys; values, in rows, one
///   multiply per 8 or 16 widened features.
public enum KVStorage: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
  case float32
  case float16
  case int8

  /// Bytes per stored element, not counting `int8`'s scales.
  public var elementBytes: Int {
    switch self {
    case .float32: return 4
    case .float16: return 2
    case .int8: return 1
    }
  }

  /// Features per scale for `int8` (each row's blocks).
  public static let int8Block = 32

  /// The name, as the command line takes it.
  public var description: String { rawValue }
}
