import ArgumentParser
import AttuneKernels
import AttuneNPY
import AttuneStats

extension Attune.Run {
  /// How a ragged batch is computed.
  enum RaggedMethod {
    /// `raggedAttention` with this kernel.
    case ragged(any AttentionKernel)
    /// Padded to the longest sequence, with a padding mask, on this kernel.
    case padded(PaddedBatch, any AttentionKernel)
    /// From a KV cache holding K and V, with this many threads.
    case cache(KVCache, [KVSequence], threads: Int)

    var name: String {
      switch self {
      case .ragged: "ragged"
      case .padded: "padded"
      case .cache: "kv-cache"
      }
    }
  }

  /// One configured call on a ragged batch.
  struct RaggedCall {
    let inputs: RaggedInputs
    let method: RaggedMethod
    var options: AttentionOptions
    /// When set, a call reads its copy of K and V instead (`--stream-read`).
    let streamRead: StreamRead?

    /// `O [H, Tq, dv]`.
    func run() throws -> [Float] {
      if let streamRead {
        return [Float(streamRead.sum())]
      }
      return try ensure { () throws(AttentionError) in
        switch method {
        case .ragged(let kernel):
          return try raggedAttention(
            q: inputs.q, k: inputs.k, v: inputs.v, shape: inputs.shape, kernel: kernel,
            options: options)
        case .padded(let batch, let kernel):
          let result = try multiHeadAttention(
            q: batch.q, k: batch.k, v: batch.v, shape: batch.shape, kernel: kernel,
            options: options, bias: batch.bias)
          return result.output
        case .cache(let cache, let sequences, let threads):
          return try cache.attention(
            q: inputs.q, heads: inputs.shape.heads, sequences: sequences,
            queryOffsets: inputs.shape.queryOffsets, options: options, threads: threads)
        }
      }
    }

    /// The output in the ragged layout (`run()`'s, unpadded when padded).
    func output(_ result: [Float]) -> [Float] {
      if case .padded(let batch, _) = method { return batch.unpadded(result) }
      return result
    }
  }

  /// `attune run` on a ragged batch (`--lengths`, or `--q-offsets` and `--kv-offsets`).
  func runRagged() throws {
    try OutputFile.check(outputPath)
    let inputs: RaggedInputs
    if random {
      let lengths = try RaggedOptions.lengths(batching.lengths ?? "", batch: sizes.batch)
      let heads = sizes.heads ?? 1
      inputs = try RaggedInputs.random(
        keyLengths: lengths, queries: sizes.n, heads: heads, kvHeads: sizes.kvHeads ?? heads,
        headDim: sizes.d ?? 64, valueDim: dv ?? sizes.d ?? 64, seed: sizes.seed)
    } else {
      guard let queryPath, let keyPath, let valuePath, let qOffsets = batching.qOffsets,
        let kvOffsets = batching.kvOffsets
      else { throw ValidationError("give --q, --k, --v, --q-offsets and --kv-offsets") }
      inputs = try RaggedInputs.load(
        q: queryPath, k: keyPath, v: valuePath, queryOffsets: qOffsets, keyOffsets: kvOffsets)
    }
    let shape = inputs.shape
    let mask = try masking.mask()
    let instructionSet = try instructionSetOption.resolved()
    let options = AttentionOptions(
      scale: scale, nonFiniteInputs: allowNonfinite ? .propagate : .reject, mask: mask,
      scorePrecision: scores, instructionSet: instructionSet)
    let method: RaggedMethod
    var configuration: String
    var settings: [String: Int] = [:]
    var bytesRead: Int?
    // With a KV cache: a streaming read of its pages, for `--serve`'s `read` requests.
    var pageRead: StreamRead?
    if let storage = batching.kvStorage {
      guard kernelOptions.kernel == nil, kernelOptions.given.keys.allSatisfy({ $0 == "threads" })
      else {
        throw ValidationError(
          "--kv-storage computes with the KV cache's own paged kernel: of the kernel flags only --threads applies"
        )
      }
      let threads = kernelOptions.threads ?? KernelParameter.threads.defaultValue
      try OptionLimits.count(threads, "--threads", KernelParameter.threads.range)
      let layout = KVCacheLayout(
        kvHeads: shape.kvHeads, headDim: shape.headDim, valueDim: shape.valueDim,
        pageTokens: batching.pageTokens ?? KVCacheLayout.defaultPageTokens, storage: storage)
      let cache = try ensure { () throws(AttentionError) in try KVCache(layout: layout) }
      SetupNotice.announce(
        "filling the \(storage.rawValue) KV cache with K and V",
        bytes: Platform.floatBytes(shape.keyCount &+ shape.valueCount))
      var sequences = [KVSequence]()
      for s in 0..<shape.sequences {
        let sequence = cache.addSequence()
        let (keys, values) = inputs.keysAndValues(of: s)
        try ensure { () throws(AttentionError) in
          try cache.append(keys: keys, values: values, to: sequence)
        }
        sequences.append(sequence)
      }
      method = .cache(cache, sequences, threads: threads)
      configuration = "kv-cache (\(layout), threads=\(threads))"
      settings["threads"] = threads
      settings["pageTokens"] = layout.pageTokens
      bytesRead = cache.bytesRead(sequences)
      pageRead = StreamRead(
        regions: cache.pageRegions(sequences), owner: cache, threads: threads)
    } else {
      let kernel = try kernelOptions.make()
      configuration = kernel.configurationDescription
      settings = Dictionary(uniqueKeysWithValues: kernel.settings.map { ($0.name, $0.value) })
      if batching.padded {
        method = .padded(try PaddedBatch(inputs), kernel)
        configuration += ", padded"
      } else {
        method = .ragged(kernel)
      }
    }
    let call = RaggedCall(
      inputs: inputs, method: method, options: options,
      streamRead: streamRead
        ? try ensure { () throws(AttentionError) in
          try StreamRead([inputs.k, inputs.v], threads: kernelOptions.threads ?? 2)
        } : nil)
    var unchecked = call
    unchecked.options.nonFiniteInputs = .propagate
    guard
      let (result, samples) = try measured(
        first: call.run, later: { _ = try unchecked.run() },
        reference: pageRead.map { read in { _ = read.sum() } })
    else { return }
    let seconds = samples.sorted()[samples.count / 2]
    let outputShape = inputs.leading + [shape.totalQueries, shape.valueDim]
    if let outputPath {
      let array = try ensure { () throws(NPYError) in
        try NPYArray(shape: outputShape, values: call.output(result))
      }
      try OutputFile.write([
        (NPY.encode(array, as: inputs.isHalf ? .float16 : .float32), outputPath)
      ])
    }
    let lengths = (0..<shape.sequences).map(shape.sequence)
    let summary = RaggedSummary(
      sequences: shape.sequences,
      queriesPerSequence: (lengths.map(\.queries).min() ?? 0)...(lengths.map(\.queries).max() ?? 0),
      keysPerSequence: (lengths.map(\.keys).min() ?? 0)...(lengths.map(\.keys).max() ?? 0),
      method: method.name, kvStorage: batching.kvStorage?.rawValue,
      pageTokens: batching.kvStorage == nil
        ? nil : batching.pageTokens ?? KVCacheLayout.defaultPageTokens,
      bytesRead: bytesRead, pageBytes: pageRead?.bytes)
    let report = RunReport(
      kernel: batching.kvStorage == nil ? kernelOptions.name : "kv-cache", settings: settings,
      configuration: configuration, plan: "flags",
      inputs: random ? "random (seed \(sizes.seed))" : "files", batch: shape.sequences,
      heads: shape.heads, kvHeads: shape.kvHeads, queries: shape.totalQueries,
      keys: shape.totalKeys, headDim: shape.headDim, valueDim: shape.valueDim,
      mask: RunReport.describe(mask), bias: nil, outputShape: outputShape,
      storage: inputs.isHalf ? "float16" : "float32",
      scores: RunReport.describe(scores, on: instructionSet),
      microKernels: instructionSet.entryName, scale: scale ?? 1 / Float(shape.headDim).squareRoot(),
      seconds: seconds, gflops: inputs.flops / seconds / 1e9, samples: samples,
      medianInterval: samples.count > 1 ? try? ConfidenceInterval.median(samples) : nil,
      output: outputPath, logSumExp: nil, ragged: summary)
    print(json ? try JSONOutput.string(report) : report.text)
  }
}
