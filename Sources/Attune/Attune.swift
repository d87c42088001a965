// The umbrella module: `import Attune` gives everything a user of the library needs.
//
// - AttuneKernels: `attention`, `multiHeadAttention`, the backward pass, masks, biases, the
//   kernels and `CustomAttention` for your own.
// - AttunePlanner: plans that pick the fastest configuration from wisdom (tuned results kept per
//   machine), and tune when asked.
// - AttuneBench: comparisons of kernels, yours included, with defensible statistics.
// - AttuneStats: the statistics those comparisons report.
// - AttuneNPY: NumPy `.npy` files, to exchange tensors with NumPy and PyTorch.

@_exported import AttuneBench
@_exported import AttuneKernels
@_exported import AttuneNPY
@_exported import AttunePlanner
@_exported import AttuneStats
