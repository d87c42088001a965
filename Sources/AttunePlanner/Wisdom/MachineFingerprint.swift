import AttuneBench
import AttuneKernels
import Foundation

/// What identifies a machine for tuning purposes, stable across reboots: the CPU model, the
/// processors this process may use, the vector ISA features, the cache sizes and the micro-kernel
/// table in use (tuned block sizes belong to one table's tiles). Nothing that changes from boot to
/// boot (BogoMIPS, clock speed, host name) is part of it.
public struct MachineFingerprint: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The CPU's model name.
  public var cpuModel: String
  /// Processors available to the process.
  public var logicalProcessors: Int
  /// Vector and arithmetic ISA features, in a fixed order.
  public var isaFeatures: [String]
  /// Cache levels and sizes, as in `L1d 48K`, `L2 1024K`, `L3 32768K`.
  public var caches: [String]
  /// CPU architecture.
  public var architecture: String
  /// The micro-kernel table, e.g. `avx2-fma 6x16` (nil in wisdom saved before it was recorded).
  public var microKernels: String?

  /// A fingerprint from its parts.
  public init(
    cpuModel: String, logicalProcessors: Int, isaFeatures: [String], caches: [String],
    architecture: String, microKernels: String? = nil
  ) {
    self.cpuModel = cpuModel
    self.logicalProcessors = logicalProcessors
    self.isaFeatures = isaFeatures
    self.caches = caches
    self.architecture = architecture
    self.microKernels = microKernels
  }

  /// A short identifier: 16 hex digits of a 64-bit FNV-1a hash of every part.
  public var id: String {
    let text =
      [
        cpuModel, String(logicalProcessors), isaFeatures.joined(separator: " "),
        caches.joined(separator: " "), architecture,
      ].joined(separator: "|") + (microKernels.map { "|" + $0 } ?? "")
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      hash ^= UInt64(byte)
      hash = hash &* 0x100_0000_01b3
    }
    let hex = String(hash, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
  }

  /// `model, N processors, features…, caches…`.
  public var description: String {
    "\(cpuModel), \(logicalProcessors) processors, \(architecture) \(isaFeatures.joined(separator: " ")), caches \(caches.joined(separator: " "))\(microKernels.map { ", micro-kernels \($0)" } ?? "")"
  }

  /// This machine.
  public static func current() -> MachineFingerprint {
    let machine = MachineDescription.current()
    return MachineFingerprint(
      cpuModel: machine.cpuModel, logicalProcessors: machine.logicalProcessors,
      isaFeatures: machine.isaFeatures, caches: caches(), architecture: machine.architecture,
      microKernels: machine.microKernels)
  }

  private static func caches() -> [String] {
    #if os(Linux)
      var result: [String] = []
      for index in 0..<8 {
        let base = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
        func read(_ name: String) -> String? {
          (try? String(contentsOfFile: base + name, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let level = read("level"), let size = read("size") else { continue }
        let type = read("type") ?? ""
        let suffix = type == "Data" ? "d" : type == "Instruction" ? "i" : ""
        result.append("L\(level)\(suffix) \(size)")
      }
      return result
    #elseif canImport(Darwin)
      return ["hw.l1dcachesize", "hw.l2cachesize", "hw.l3cachesize"].compactMap { name in
        var value: Int64 = 0
        var size = MemoryLayout<Int64>.size
        guard sysctlbyname(name, &value, &size, nil, 0) == 0, value > 0 else { return nil }
        return "\(name.dropFirst(3).dropLast(9).uppercased()) \(value / 1024)K"
      }
    #else
      return []
    #endif
  }
}
