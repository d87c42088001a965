import AttuneKernels
import Testing

struct KernelCatalogTests {
  @Test("lists the five kernels in the report's order, then fused")
  func names() {
    #expect(KernelCatalog.names == ["naive", "blocked", "parallel", "simd", "fused"])
  }

  @Test("builds each kernel with defaults, and with given values")
  func make() throws {
    let fused = try KernelCatalog.make("fused", ["blockQ": 32, "blockK": 96, "threads": 1])
    #expect(fused.settings == [.init("blockQ", 32), .init("blockK", 96), .init("threads", 1)])
    #expect(fused.configurationDescription == "fused(blockQ=32, blockK=96, threads=1)")
    for descriptor in KernelCatalog.builtIn {
      let kernel = try descriptor.make()
      #expect(kernel.name == descriptor.name)
      #expect(kernel.settings.map(\.name) == descriptor.parameters.map(\.name))
      #expect(kernel.settings.map(\.value) == descriptor.parameters.map(\.defaultValue))
    }
  }

  @Test("refuses unknown kernels and parameters, naming what exists")
  func unknown() {
    #expect(
      throws: AttentionError.unknownKernel(
        name: "flash", known: ["naive", "blocked", "parallel", "simd", "fused"])
    ) { try KernelCatalog.make("flash") }
    #expect(
      throws: AttentionError.unknownParameter(
        kernel: "fused", parameter: "blockSize", known: ["blockQ", "blockK", "threads"])
    ) { try KernelCatalog.make("fused", ["blockSize": 64]) }
    #expect(
      throws: AttentionError.unknownParameter(kernel: "naive", parameter: "threads", known: [])
    ) { try KernelCatalog.make("naive", ["threads": 2]) }
  }

  @Test("every error reads as one line")
  func oneLine() {
    let errors: [AttentionError] = [
      .emptyDimension(name: "Nq", value: 0), .sizeOverflow(shape: "x"),
      .shapeMismatch(tensor: "Q", expected: 1, actual: 2),
      .nonFiniteInput(tensor: "K", index: 3, value: "nan"), .invalidScale("nan"),
      .invalidParameter(kernel: "a", parameter: "b", value: 0, reason: "c"),
      .unknownKernel(name: "x", known: ["y"]),
      .unknownParameter(kernel: "x", parameter: "y", known: []),
      .insufficientMemory(what: "naive", requiredBytes: 1 << 40, availableBytes: 1 << 30),
    ]
    for error in errors {
      #expect(!error.description.isEmpty && !error.description.contains("\n"))
    }
  }
}
