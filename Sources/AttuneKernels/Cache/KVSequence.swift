/// One sequence of a `KVCache`: its handle, valid until the sequence is removed.
public struct KVSequence: Sendable, Hashable, CustomStringConvertible {
  /// The cache's number for it (never reused within one cache).
  public let id: Int

  package init(id: Int) { self.id = id }

  /// `sequence 3`.
  public var description: String { "sequence \(id)" }
}
