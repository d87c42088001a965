import ArgumentParser
import AttuneKernels
import Foundation

extension Attune.Run {
  /// One configured call: inputs, kernel, bias, options.
  struct Call {
    let inputs: RunInputs
    let kernel: any AttentionKernel
    let bias: AttentionBias?
    let logSumExp: Bool
    let options: AttentionOptions
    /// When set, a call reads its copy of K and V instead (`--stream-read`).
    var streamRead: StreamRead?

    func run() throws -> MultiHeadResult {
      if let streamRead {
        return MultiHeadResult(output: [Float(streamRead.sum())], logSumExp: nil)
      }
      return try ensure { () throws(AttentionError) in
        try multiHeadAttention(
          q: inputs.q, k: inputs.k, v: inputs.v, shape: inputs.shape, kernel: kernel,
          options: options, bias: bias, logSumExp: logSumExp)
      }
    }

    /// The same call without the scan for non-finite inputs (done once already).
    func withoutChecks() -> Call {
      var options = options
      options.nonFiniteInputs = .propagate
      return Call(
        inputs: inputs, kernel: kernel, bias: bias, logSumExp: logSumExp, options: options,
        streamRead: streamRead)
    }
  }

  /// The timing of `attune run`: `first` (the call that checks the inputs) once, timed; then, as
  /// the flags say, `--serve` answers timing requests with `later` (the same call without the
  /// checks) and its `read` requests with `reference` (a streaming read of the memory the call
  /// reads, where there is one), or `--repeat` and `--warmup` time more calls of it.
  ///
  /// - Returns: The first call's result and the timed samples (seconds), or nil after serving.
  func measured<Value>(
    first: () throws -> Value, later: () throws -> Void, reference: (() -> Void)? = nil
  ) throws -> (value: Value, samples: [Double])? {
    let start = ContinuousClock.now
    let value = try first()
    var samples = [(ContinuousClock.now - start).seconds]
    if serve {
      try Self.serve(later, reference: reference)
      return nil
    }
    if streamRead {
      throw ValidationError("--stream-read is a benchmark reference; use it with --serve")
    }
    if repeatCount > 1 || warmup > 0 {
      samples = try Self.time(warmup: warmup, calls: repeatCount, later)
    }
    return (value, samples)
  }

  /// Times `calls` calls of `body` one by one after `warmup` untimed ones.
  static func time(warmup: Int, calls: Int, _ body: () throws -> Void) throws -> [Double] {
    let clock = ContinuousClock()
    var samples: [Double] = []
    for index in 0..<(warmup + calls) {
      let elapsed = try clock.measure { try body() }
      if index >= warmup { samples.append(elapsed.seconds) }
    }
    return samples
  }

  /// Answers timing requests for `body`, and `read` requests for `reference`, from stdin until
  /// it closes (see `--serve`).
  static func serve(_ body: () throws -> Void, reference: (() -> Void)? = nil) throws {
    func mean(_ calls: Int, _ body: () throws -> Void) throws -> Double {
      let samples = try time(warmup: 0, calls: calls, body)
      return samples.reduce(0, +) / Double(samples.count)
    }
    try ServeLoop.run(
      { calls in try mean(calls, body) },
      read: reference.map { reference in { calls in try mean(calls, reference) } })
  }
}
