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
}
