import AttuneKernels
import Testing
import _AttuneTestSupport

extension Problem: CustomTestStringConvertible {}

/// Every kernel against the Float64 oracle, on shapes that hit SIMD tails, micro-kernel edges and
/// block edges, with random data and with logits of ±1e4.
struct OracleAgreementTests {
  /// The kernel configurations run on every problem: block sizes that divide none of the test
  /// sizes (48, 77, 33, 80), blocks of one row, tiles larger than the problem, 1 and 2 threads.
  static func configurations() throws -> [any AttentionKernel] {
    [
      NaiveAttention(),
      try BlockedAttention(blockSize: 1),
      try BlockedAttention(blockSize: 48),
      try BlockedAttention(blockSize: 77),
      try ParallelAttention(blockSize: 48, threads: 1),
      try ParallelAttention(blockSize: 48, threads: 2),
      try ParallelAttention(blockSize: 1, threads: 2),
      try ParallelAttention(blockSize: 77, threads: 2),
      try SIMDAttention(blockSize: 48, threads: 1),
      try SIMDAttention(blockSize: 48, threads: 2),
      try SIMDAttention(blockSize: 1, threads: 2),
      try SIMDAttention(blockSize: 77, threads: 2),
      FusedAttention(),
      try FusedAttention(blockQ: 48, blockK: 80, threads: 1),
      try FusedAttention(blockQ: 48, blockK: 80, threads: 2),
      try FusedAttention(blockQ: 5, blockK: 33, threads: 2),
      try FusedAttention(blockQ: 77, blockK: 1, threads: 2),
      try FusedAttention(blockQ: 1, blockK: 1000, threads: 2),
    ]
  }

  /// Tolerance on `max |O − O_oracle|`, relative to `max |V|`.
  ///
  /// The bound is 1e-5. The worst error measured over all these problems and
  /// configurations is 3.2e-7 (every kernel, random data, Nq=1000 Nk=7 dk=64), so the tests hold
  /// the kernels to 2e-6: a 6× margin over what Float32 gives here, tight enough to catch a lost
  /// rescale or an off-by-one tail. Data are seeded and each row's result does not depend on the
  /// thread count, so the figure is deterministic.
  static let tolerance = 2e-6

  static let sizes = [1, 7, 63, 64, 65, 1000]
  static let widths = [1, 3, 64, 72, 128]

  /// Problems for every shape in `shapes`, with both kinds of data.
  static func problems(_ shapes: [AttentionShape]) -> [Problem] {
    var problems: [Problem] = []
    for shape in shapes {
      for data in [Problem.Data.random, .largeLogits] {
        let seed = UInt64(
          shape.queries * 1_000_003 + shape.keys * 1009 + shape.headDim * 31 + shape.valueDim)
        problems.append(Problem(shape: shape, data: data, seed: seed))
      }
    }
    return problems
  }

  /// Every (Nq, Nk) pair of the sizes, at two (dk, dv) pairs.
  static let tokenProblems: [Problem] = {
    var shapes: [AttentionShape] = []
    for nq in sizes {
      for nk in sizes {
        for (dk, dv) in [(64, 64), (3, 72)] {
          shapes.append(AttentionShape(queries: nq, keys: nk, headDim: dk, valueDim: dv))
        }
      }
    }
    return problems(shapes)
  }()

  /// Every (dk, dv) pair of the widths, at two (Nq, Nk) pairs.
  static let widthProblems: [Problem] = {
    var shapes: [AttentionShape] = []
    for dk in widths {
      for dv in widths {
        for (nq, nk) in [(65, 63), (7, 1000)] {
          shapes.append(AttentionShape(queries: nq, keys: nk, headDim: dk, valueDim: dv))
        }
      }
    }
    return problems(shapes)
  }()

  @Test("every kernel matches the Float64 oracle, varying Nq and Nk", arguments: tokenProblems)
  func tokens(problem: Problem) throws {
    try check(problem)
  }

  @Test("every kernel matches the Float64 oracle, varying dk and dv", arguments: widthProblems)
  func widths(problem: Problem) throws {
    try check(problem)
  }

  func check(_ problem: Problem) throws {
    if problem.data == .largeLogits, problem.inputs.shape.keys > 1 {
      // The data really does reach the logits it claims to.
      #expect(problem.maxAbsLogit >= 5e3 && problem.maxAbsLogit <= 1e4)
    }
    let want = problem.oracle()
    let bound = Self.tolerance * problem.maxAbsValue
    for kernel in try Self.configurations() {
      let got = try problem.inputs.run(kernel, options: problem.options)
      let error = maxAbsoluteError(got, want)
      #expect(
        error <= bound,
        "\(kernel.configurationDescription): max error \(error) > \(bound) on \(problem.testDescription)"
      )
    }
  }
}
