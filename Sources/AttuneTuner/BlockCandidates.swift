import AttuneKernels

/// Block-size candidates for tuning a kernel: the student report's list, the kernel's block
/// parameter, and one configured kernel per size with its label (`blockQ=64`).
package enum BlockCandidates {
  /// The report's candidates.
  package static let reportSizes = [64, 128, 192, 256, 320, 384, 448, 512]

  /// The kernel's block parameter: `blockSize`, or `blockQ` for fused; nil if it has none.
  package static func parameter(of descriptor: KernelDescriptor) -> String? {
    let names = descriptor.parameters.map(\.name)
    return ["blockSize", "blockQ"].first(where: names.contains)
  }

  /// One `name` kernel per size in `sizes` (with the `fixed` parameters too), and the labels.
  ///
  /// - Throws: `AttentionError.unknownKernel`, or `.invalidParameter` for a size out of range
  ///   or a kernel without a block size.
  package static func kernels(
    _ name: String, sizes: [Int], fixed: [String: Int] = [:]
  ) throws(AttentionError) -> (kernels: [any AttentionKernel], labels: [String]) {
    let descriptor = try KernelCatalog.descriptor(named: name)
    guard let block = parameter(of: descriptor) else {
      throw .invalidParameter(
        kernel: name, parameter: "blockSize", value: 0,
        reason: "the kernel has no block size to tune")
    }
    var kernels: [any AttentionKernel] = []
    for size in sizes {
      var values = fixed
      values[block] = size
      kernels.append(try descriptor.make(values))
    }
    return (kernels, sizes.map { "\(block)=\($0)" })
  }
}
