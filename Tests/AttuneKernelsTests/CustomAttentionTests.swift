import AttuneKernels
import Testing
import _AttuneTestSupport

struct CustomAttentionTests {
  @Test("a user function runs through the same entry point as the built-in kernels")
  func userFunction() throws {
    // The user's function: delegate to the naive kernel, then add 1 so the test sees it ran.
    let naive = NaiveAttention()
    let mine = CustomAttention(name: "mine", settings: [KernelSetting("offset", 1)]) {
      problem, output in
      naive.compute(problem, into: output)
      for i in output.indices { output[i] += 1 }
    }
    #expect(mine.configurationDescription == "mine(offset=1)")
    let problem = Problem(
      shape: AttentionShape(queries: 9, keys: 13, headDim: 5, valueDim: 3), data: .random, seed: 4)
    let got = try problem.inputs.run(mine, options: problem.options)
    let want = problem.oracle().map { $0 + 1 }
    #expect(maxAbsoluteError(got, want) <= 2e-6 * problem.maxAbsValue)
  }

  @Test("its inputs are validated like any kernel's")
  func validated() {
    let mine = CustomAttention(name: "mine") { _, _ in Issue.record("the body must not run") }
    #expect(throws: AttentionError.shapeMismatch(tensor: "Q", expected: 4, actual: 3)) {
      try attention(
        q: [1, 2, 3], k: [1, 2], v: [1, 2], shape: AttentionShape(queries: 2, keys: 1, headDim: 2),
        kernel: mine)
    }
  }

  @Test("a function named like a built-in kernel runs as itself in multi-head attention")
  func namedLikeBuiltIn() throws {
    // Named "fused" and claiming two threads: multi-head attention must call this body for every
    // head, not build the catalog's "fused" from the name and settings.
    let naive = NaiveAttention()
    let mine = CustomAttention(name: "fused", settings: [KernelSetting("threads", 2)]) {
      problem, output in
      naive.compute(problem, into: output)
      for i in output.indices { output[i] += 1 }
    }
    let shape = MultiHeadShape(
      batch: 2, heads: 4, kvHeads: 2, head: AttentionShape(queries: 5, keys: 7, headDim: 3))
    var generator = SplitMix64(seed: 11)
    let q = (0..<shape.queryCount).map { _ in generator.nextGaussian() }
    let k = (0..<shape.keyCount).map { _ in generator.nextGaussian() }
    let v = (0..<shape.valueCount).map { _ in generator.nextGaussian() }
    let got = try multiHeadAttention(q: q, k: k, v: v, shape: shape, kernel: mine).output
    let want = try multiHeadAttention(q: q, k: k, v: v, shape: shape, kernel: naive).output
    #expect(got == want.map { $0 + 1 })
  }

  @Test("a built-in kernel changes its thread count and nothing else")
  func withThreads() throws {
    let kernels: [any AttentionKernel] = [
      try FusedAttention(blockQ: 24, blockK: 40, threads: 3),
      try SIMDAttention(blockSize: 24, threads: 3),
      try ParallelAttention(blockSize: 24, threads: 3),
    ]
    for kernel in kernels {
      let one = try #require(kernel.withThreads(1))
      #expect(one.threads == 1)
      #expect(one.name == kernel.name)
      #expect(
        one.settings.filter { $0.name != "threads" }
          == kernel.settings.filter { $0.name != "threads" })
    }
    #expect(NaiveAttention().withThreads(2) == nil)
    #expect(CustomAttention(name: "fused") { _, _ in }.withThreads(1) == nil)
  }
}
