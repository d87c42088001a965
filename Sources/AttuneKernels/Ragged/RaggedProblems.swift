/// The problems of a ragged batch, one per (sequence, query head) with at least one query, in
/// the order they run: the ones too large to share a thread (`alone`), then the rest, largest
/// first (`shared`).
package struct RaggedProblems {
  /// One (sequence, query head).
  package struct Item: Sendable, Equatable {
    package let sequence: Int
    package let head: Int
    package let cost: Int
  }

  package let alone: [Item]
  package let shared: [Item]
  /// The sizes of the sequence with the most queries × keys, nil when no sequence has a query.
  package let largestSequence: AttentionShape?

  package init(shape: RaggedShape, threads: Int) {
    var items: [Item] = []
    var largest: (cost: Int, shape: AttentionShape)?
    for s in 0..<shape.sequences {
      let sizes = shape.sequence(s)
      guard sizes.queries > 0 else { continue }
      let cost = sizes.queries * sizes.keys
      if cost > largest?.cost ?? -1 { largest = (cost, sizes) }
      for h in 0..<shape.heads { items.append(Item(sequence: s, head: h, cost: cost)) }
    }
    items.sort { $0.cost > $1.cost }
    largestSequence = largest?.shape
    // A problem larger than its share of what is left would keep one thread busy after the
    // others finish: it runs alone, on every thread.
    var remaining = items.reduce(0) { $0 + $1.cost }
    var split = 0
    let workers = max(1, threads)
    while workers > 1, split < items.count, items[split].cost * workers > remaining {
      remaining -= items[split].cost
      split += 1
    }
    alone = Array(items[..<split])
    shared = Array(items[split...])
  }
}
