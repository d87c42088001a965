/// Some sequences' pages and lengths, read-only, for one attention call: what the workers share.
///
/// Safe to share: the pages are only read while the call runs (the cache is not thread-safe, so
/// no append can overlap it).
package struct CachedSequences: @unchecked Sendable {
  /// One sequence: its pages in order and its length in tokens.
  package struct Sequence {
    package let pages: [UnsafeMutableRawPointer]
    package let length: Int
  }

  package let geometry: PageGeometry
  package let sequences: [Sequence]
}
