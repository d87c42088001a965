internal import _AttuneShims

/// A range of memory asked into cache a few lines at a time, spread over a loop that runs
/// meanwhile: for the decode scores, K's rows a few keys ahead of the micro-kernel, in order.
///
/// Prefetches are hints: they never fault and never change a result.
struct PrefetchStream {
  private var next: UInt
  private let end: UInt
  private let linesPerStep: UInt

  /// Bytes per cache line on the CPUs this runs on (x86-64 and arm64 servers).
  static let lineBytes: UInt = 64

  /// A stream over `count` floats at `start`, fetched in `steps` even portions.
  init(_ start: UnsafePointer<Float>, count: Int, steps: Int) {
    let bytes = UInt(max(0, count) * MemoryLayout<Float>.stride)
    next = UInt(bitPattern: start)
    end = next + bytes
    let lines = (bytes + Self.lineBytes - 1) / Self.lineBytes
    let steps = UInt(max(1, steps))
    linesPerStep = (lines + steps - 1) / steps
  }

  /// Asks for the next portion.
  @inline(__always)
  mutating func step() {
    var lines = linesPerStep
    while lines > 0, next < end {
      attune_prefetch(UnsafeRawPointer(bitPattern: next))
      next &+= Self.lineBytes
      lines &-= 1
    }
  }
}
