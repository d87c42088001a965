/// What `attune run` reports about a ragged batch: the sequences' sizes and how it was computed.
struct RaggedSummary: Encodable {
  let sequences: Int
  /// Queries and keys per sequence: the shortest and the longest.
  let queriesPerSequence: ClosedRange<Int>
  let keysPerSequence: ClosedRange<Int>
  /// `ragged`, `padded` (to the longest, with a padding mask) or `kv-cache`.
  let method: String
  /// With the KV cache: its storage, tokens per page, the bytes of K and V (with scales) one
  /// call reads, and the bytes of the pages that hold them (what `--serve`'s `read` reads).
  let kvStorage: String?
  let pageTokens: Int?
  let bytesRead: Int?
  let pageBytes: Int?

  private enum CodingKeys: String, CodingKey {
    case sequences, method, kvStorage, pageTokens, bytesRead, pageBytes
    case minQueries, maxQueries, minKeys, maxKeys
  }

  func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(sequences, forKey: .sequences)
    try container.encode(method, forKey: .method)
    try container.encode(queriesPerSequence.lowerBound, forKey: .minQueries)
    try container.encode(queriesPerSequence.upperBound, forKey: .maxQueries)
    try container.encode(keysPerSequence.lowerBound, forKey: .minKeys)
    try container.encode(keysPerSequence.upperBound, forKey: .maxKeys)
    try container.encodeIfPresent(kvStorage, forKey: .kvStorage)
    try container.encodeIfPresent(pageTokens, forKey: .pageTokens)
    try container.encodeIfPresent(bytesRead, forKey: .bytesRead)
    try container.encodeIfPresent(pageBytes, forKey: .pageBytes)
  }

  /// One line: `16 sequences, 64...2048 queries and keys each; KV cache int8, ...`.
  var text: String {
    func span(_ range: ClosedRange<Int>) -> String {
      range.lowerBound == range.upperBound
        ? "\(range.lowerBound)" : "\(range.lowerBound)...\(range.upperBound)"
    }
    var line =
      "\(sequences) sequences of \(span(queriesPerSequence)) queries, \(span(keysPerSequence)) keys"
    switch method {
    case "padded": line += "; padded to the longest, padding keys masked"
    case "kv-cache":
      let megabytes = Double(bytesRead ?? 0) / 1e6
      line +=
        "; KV cache \(kvStorage ?? "?"), pages of \(pageTokens ?? 0) tokens, \((megabytes * 10).rounded() / 10) MB of K and V read per call"
    default: break
    }
    return line
  }
}
