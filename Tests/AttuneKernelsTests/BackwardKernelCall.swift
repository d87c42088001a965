import AttuneKernels
import Testing

extension AttentionBackwardKernel {
  /// `computeGradients` into three arrays (each at least its gradient's length), as the tests
  /// call a kernel directly: with NaN-filled buffers, or with an allocation tracker.
  func computeGradients(
    _ problem: BackwardProblem, dq: inout [Float], dk: inout [Float], dv: inout [Float]
  ) throws {
    try dq.withUnsafeMutableBufferPointer { dq in
      try dk.withUnsafeMutableBufferPointer { dk in
        try dv.withUnsafeMutableBufferPointer { dv in
          computeGradients(
            problem, dq: try #require(dq.baseAddress), dk: try #require(dk.baseAddress),
            dv: try #require(dv.baseAddress))
        }
      }
    }
  }
}
