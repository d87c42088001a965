/// Attention over a ragged batch: each sequence's queries attend to its own keys only, with no
/// padding computed.
///
/// Each (sequence, query head) is one problem on `kernel`, run in place on its rows. The work is
/// shared among the kernel's threads by cost (queries × keys), not by sequence count: problems
/// too large for one thread's share (more than the rest of the work divided among the threads)
/// run first, one at a time on every thread; the others then run in parallel on one-thread copies
/// of the kernel, largest first, from one queue. A mask applies per sequence: `.causal(.bottomRight)`
/// aligns each sequence's last query with its last key (chunked prefill after a KV cache).
///
/// - Parameters:
///   - q: `[H, Tq, dk]`, row-major (see `RaggedShape`).
///   - k: `[Hkv, Tk, dk]`.
///   - v: `[Hkv, Tk, dv]`.
///   - shape: The heads, feature sizes and sequence offsets.
///   - kernel: The per-problem kernel; masks need `fused` or `naive`.
///   - options: Scale, mask and the non-finite policy, for every sequence.
/// - Returns: `O [H, Tq, dv]`.
/// - Throws: `AttentionError` for bad offsets or heads (`RaggedShape.validate()`), tensors of the
///   wrong size, non-finite inputs (unless allowed), a kernel without masks, or memory beyond the
///   machine's. Nothing is returned partially.
/// - Complexity: O(H · Σₛ Nqₛ · Nkₛ · (dk + dv)) time, less with a mask; the kernel's scratch for
///   one sequence per worker.
/// - Accuracy: each sequence's rows as `attention` on that sequence alone.
public func raggedAttention(
  q: [Float], k: [Float], v: [Float], shape: RaggedShape,
  kernel: any AttentionKernel = FusedAttention(), options: AttentionOptions = AttentionOptions()
) throws(AttentionError) -> [Float] {
  try shape.validate()
  for (name, buffer, expected) in [
    ("Q", q, shape.queryCount), ("K", k, shape.keyCount), ("V", v, shape.valueCount),
  ] where buffer.count != expected {
    throw .shapeMismatch(tensor: name, expected: expected, actual: buffer.count)
  }
  // Scanned once here, whole, so that an error names the index in the caller's tensor and no
  // (sequence, head) reads its K and V an extra time.
  var checked = options
  if options.nonFiniteInputs == .reject {
    for (name, tensor) in [("Q", q), ("K", k), ("V", v)] {
      if let index = tensor.withUnsafeBufferPointer({ firstNonFinite($0) }) {
        throw .nonFiniteInput(tensor: name, index: index, value: "\(tensor[index])")
      }
    }
    checked.nonFiniteInputs = .propagate
  }
  let options = checked
  let problems = RaggedProblems(shape: shape, threads: kernel.threads)
  let single = kernel.threads > 1 ? kernel.withThreads(1) : nil
  // The most scratch at once: the largest sequence on every thread, or on each worker's copy.
  let scratch =
    problems.largestSequence.map { largest in
      max(
        kernel.scratchBytes(for: largest),
        single.map { kernel.threads &* $0.scratchBytes(for: largest) } ?? 0)
    } ?? 0
  try Platform.checkMemory(
    "the output and the \(kernel.name) kernel's scratch",
    bytes: Platform.floatBytes(shape.outputCount) &+ scratch)
  var output = [Float](repeating: 0, count: shape.outputCount)
  let result: Result<Void, AttentionError> = q.withUnsafeBufferPointer { q in
    k.withUnsafeBufferPointer { k in
      v.withUnsafeBufferPointer { v in
        output.withUnsafeMutableBufferPointer { o in
          let tensors = RaggedTensors(q: q, k: k, v: v, o: o, shape: shape)
          return Result { () throws(AttentionError) in
            // The large problems, each on every thread.
            for problem in problems.alone {
              try tensors.run(problem, kernel: kernel, options: options)
            }
            guard let single else {
              for problem in problems.shared {
                try tensors.run(problem, kernel: kernel, options: options)
              }
              return
            }
            let failure = Locked<AttentionError?>(nil)
            let shared = problems.shared
            WorkQueue.run(items: shared.count, threads: kernel.threads) { queue in
              while let index = queue.take() {
                do throws(AttentionError) {
                  try tensors.run(shared[index], kernel: single, options: options)
                } catch {
                  failure.withLock { $0 = $0 ?? error }
                }
              }
            }
            if let error = failure.withLock({ $0 }) { throw error }
          }
        }
      }
    }
  }
  try result.get()
  return output
}
