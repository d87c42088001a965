internal import _AttuneMicroKernels

/// A range of memory asked into cache a few cache lines at a time, the requests spread evenly over
/// the steps of a loop that reads the memory behind it.
///
/// Decoding reads K once, from memory, a few rows side by side; asking for the rows a few keys
/// ahead, in address order, turns that into one stream of requests the memory system serves at
/// its pace. The requests are hints: nothing is read, and nothing outside the range is asked for.
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
      attune_prefetch(UnsafeRawPointer(bitPattern: next))
      next &+= Self.lineBytes
      lines &-= 1
    }
  }
}
