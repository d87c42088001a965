#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The process's peak resident set size, for candidates whose allocations Attune cannot count.
enum PeakMemory {
  /// Peak resident bytes so far (`getrusage`'s `ru_maxrss`).
  static func residentBytes() -> Int {
    var usage = rusage()
    #if canImport(Glibc)
      getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
      getrusage(RUSAGE_SELF, &usage)
    #endif
    #if canImport(Darwin)
      return Int(usage.ru_maxrss)  // bytes on Darwin
    #else
      return Int(usage.ru_maxrss) * 1024  // kilobytes on Linux
    #endif
  }

  /// How much `body` raised the peak resident set size: a lower bound on what it allocated at
  /// once (zero when an earlier peak was higher).
  static func growth(_ body: () -> Void) -> Int {
    let before = residentBytes()
    body()
    return max(0, residentBytes() - before)
  }
}
