/// The inputs of one backward call, as buffers.
package struct BackwardTensors: @unchecked Sendable {
  let q: UnsafeBufferPointer<Float>
  let k: UnsafeBufferPointer<Float>
  let v: UnsafeBufferPointer<Float>
  let output: UnsafeBufferPointer<Float>
  let logSumExp: UnsafeBufferPointer<Float>
  let gradOutput: UnsafeBufferPointer<Float>
  let bias: UnsafeBufferPointer<Float>?
}
