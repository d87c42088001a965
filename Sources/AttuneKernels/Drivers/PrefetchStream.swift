internal import _AttuneMicroKernels

/// A range of memory asked into cache a few cache lines at a time, the requests spread evenly over
/// the steps of a loop that reads the memory behind it.
///
/// Decoding reads K once, from memory, a few rows side by side; asking for the rows a few keys
/// ahead, in address order, turns that into one stream of requests the memory system serves at
/// its pace. The requests are hints: nothing is read, and nothing outside the range is asked for.
///
/// They ask into the second-level cache, not the first: a request into L1 holds one of the
/// core's few L1 miss buffers until memory answers, so a core that asks ahead into L1 has as few
/// lines in flight as those buffers, while one that asks into L2 keeps many more in flight and
/// reads the rows from L2 when it gets to them. At the decode shape of
/// `scripts/bench/model_shapes_benchmark.py` on a Zen 4, the same requests into L2 took 0.955
/// [0.812, 1.017] the time of L1's 8 keys ahead, 32 keys ahead into L2 0.828 [0.722, 0.947]
/// (`scripts/bench/serve_ab.py --decode`, 12 rounds), 64 to 256 keys ahead no less; into L1, 64
/// keys ahead gained nothing (1.017).
struct PrefetchStream {
  /// The next line to ask for, and the end of the range (addresses).
  private var next: UInt
  private let end: UInt
  /// Lines asked for per `step()`.
  private let linesPerStep: UInt

  /// Bytes per cache line on the CPUs Attune runs on (x86-64 and arm64 cores alike).
  static let lineBytes: UInt = 64

  /// A stream over `count` floats from `start`, asked for in `steps` equal parts.
  init(_ start: UnsafePointer<Float>, count: Int, steps: Int) {
    let bytes = UInt(max(0, count) * MemoryLayout<Float>.stride)
    next = UInt(bitPattern: start)
    end = next + bytes
    let lines = (bytes + Self.lineBytes - 1) / Self.lineBytes
    linesPerStep = (lines + UInt(max(1, steps)) - 1) / UInt(max(1, steps))
  }

  /// Asks for the next part of the range.
  @inline(__always)
  mutating func step() {
    var lines = linesPerStep
    while lines > 0, next < end {
      attune_prefetch_l2(UnsafeRawPointer(bitPattern: next))
      next &+= Self.lineBytes
      lines &-= 1
    }
  }
}
