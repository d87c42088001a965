/// The three gradient buffers of one backward call, handed to the workers that fill disjoint
/// parts of them.
struct GradientBuffers: @unchecked Sendable {
  /// `[…, Nq, dk]`.
  let dq: UnsafeMutableBufferPointer<Float>
  /// `[…, Nk, dk]`.
  let dk: UnsafeMutableBufferPointer<Float>
  /// `[…, Nk, dv]`.
  let dv: UnsafeMutableBufferPointer<Float>
}
