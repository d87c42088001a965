/// The one rule of the online softmax (Milakov & Gimelshein 2018; FlashAttention-2, Dao 2023):
/// how two partial results over disjoint key ranges combine.
///
/// A partial result for one query row is `(m, ℓ, a)`: the largest score `m` seen, `ℓ = Σ e^(s − m)`
/// and the unnormalised output `a = Σ e^(s − m) · v`. Two of them combine into
/// `m' = max(m₁, m₂)`, `ℓ' = ℓ₁ · e^(m₁ − m') + ℓ₂ · e^(m₂ − m')`, `a' = a₁ · e^(m₁ − m') + a₂ ·
/// e^(m₂ − m')`. The tile walker uses it with each new key tile (whose exponentials it takes
/// against `m'` directly, so its factor is 1) and the split-key merge with each slice.
package enum OnlineSoftmax {
  /// Combines `(otherMax, otherSum)` into `(max, sum)` and returns the factors the two outputs
  /// are to be multiplied by before they are added. Neither maximum may be −∞ unless its sum is
  /// 0 and the other maximum is finite.
  @inline(__always)
  package static func merge(
    max: inout Float, sum: inout Float, otherMax: Float, otherSum: Float
  ) -> (keep: Float, add: Float) {
    let newMax = Swift.max(max, otherMax)
    let keep = max == newMax ? 1 : Platform.exp(max - newMax)
    let add = otherMax == newMax ? 1 : Platform.exp(otherMax - newMax)
    sum = sum * keep + otherSum * add
    max = newMax
    return (keep, add)
  }

  /// Combines partial state `other` into `state`, each `acc [capacity, ldo]` then `max
  /// [capacity]` then `sum [capacity]` floats, for rows `0..<rows`: the split-key merge.
  package static func mergeState(
    _ state: UnsafeMutablePointer<Float>, _ other: UnsafePointer<Float>, rows: Int, capacity: Int,
    ldo: Int
  ) {
    let maxima = capacity * ldo
    let sums = maxima + capacity
    for r in 0..<rows {
      let m = other[maxima + r]
      guard m > -.infinity else { continue }
      let (keep, add) = merge(
        max: &state[maxima + r], sum: &state[sums + r], otherMax: m, otherSum: other[sums + r])
      let row = state + r * ldo
      let otherRow = other + r * ldo
      for c in 0..<ldo { row[c] = row[c] * keep + otherRow[c] * add }
    }
  }
}
