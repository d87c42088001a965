import AttuneKernels
import Foundation

/// The machine and build a measurement was taken on, stored with every result so numbers are
/// never separated from where they came from.
public struct MachineDescription: Sendable, Hashable, Codable {
  /// The CPU's model name.
  public let cpuModel: String
  /// Processors this process may use.
  public let logicalProcessors: Int
  /// The vector and arithmetic ISA features the CPU reports (`avx2`, `fma`, `avx512f`, `neon`…).
  public let isaFeatures: [String]
  /// Operating system name and release.
  public let operatingSystem: String
  /// CPU architecture.
  public let architecture: String
  /// The Swift compiler version the binary was built with.
  public let swiftVersion: String
  /// `release` or `debug`.
  public let buildConfiguration: String
  /// Whether the kernels use fused multiply-add instructions.
  public let kernelsUseFMA: Bool
  /// The micro-kernel table in use, e.g. `avx2-fma 6x16` (nil in results saved before it was
  /// recorded).
  public let microKernels: String?
  /// When the description was taken, ISO 8601 in UTC.
  public let date: String
  /// Attune's version (nil in results saved before it was recorded).
  public let attuneVersion: String?
  /// The git commit (12 hexadecimal digits) of the source checkout Attune was compiled from, when
  /// that checkout is still on this machine.
  public let attuneCommit: String?
  /// The 1-minute load average when the description was taken, where readable.
  public let loadAverage: Double?
  /// The CPU frequency governor (`performance`, `schedutil`…), where readable (Linux cpufreq).
  public let governor: String?
  /// The current frequency of the first CPU in MHz, where readable.
  public let frequencyMHz: Double?
  /// The first CPU's caches, as `L1d 32K`, `L2 512K`…, where readable.
  public let caches: [String]?

  /// Describes this machine now.
  public static func current() -> MachineDescription {
    var system = utsname()
    uname(&system)
    func text<T>(_ field: T) -> String {
      withUnsafeBytes(of: field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
    let (model, features, megahertz) = cpu()
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    return MachineDescription(
      cpuModel: model, logicalProcessors: ProcessInfo.processInfo.activeProcessorCount,
      isaFeatures: features, operatingSystem: "\(text(system.sysname)) \(text(system.release))",
      architecture: BuildInfo.architecture, swiftVersion: swiftVersion,
      buildConfiguration: BuildInfo.configuration, kernelsUseFMA: BuildInfo.fusedMultiplyAdd,
      microKernels: BuildInfo.microKernels, date: formatter.string(from: Date()),
      attuneVersion: BuildInfo.version, attuneCommit: SourceCheckout.commit,
      loadAverage: loadAverage(), governor: governor(),
      frequencyMHz: frequency() ?? megahertz, caches: caches())
  }

  private static func loadAverage() -> Double? {
    var loads = [Double](repeating: 0, count: 3)
    return getloadavg(&loads, 3) >= 1 ? loads[0] : nil
  }

  private static func read(_ path: String) -> String? {
    (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(
      in: .whitespacesAndNewlines)
  }

  private static func governor() -> String? {
    read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor")
  }

  /// cpufreq's current frequency of the first CPU in MHz, where the kernel exposes it.
  private static func frequency() -> Double? {
    read("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq").flatMap(Double.init).map {
      $0 / 1000
    }
  }

  private static func caches() -> [String]? {
    var found: [String] = []
    for index in 0..<8 {
      let base = "/sys/devices/system/cpu/cpu0/cache/index\(index)/"
      guard let level = read(base + "level"), let size = read(base + "size") else { break }
      let type = read(base + "type") ?? ""
      let suffix = type == "Data" ? "d" : type == "Instruction" ? "i" : ""
      found.append("L\(level)\(suffix) \(size)")
    }
    return found.isEmpty ? nil : found
  }

  /// The features worth reporting for dense float kernels, in this order.
  static let interestingFeatures = [
    "sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw", "avx512vl",
    "avx512_bf16", "avx512_fp16", "amx_tile", "neon", "asimd", "fphp", "asimdhp", "bf16", "sve",
  ]

  private static func cpu() -> (model: String, features: [String], megahertz: Double?) {
    #if os(Linux)
      guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else {
        return ("unknown", [], nil)
      }
      var model = "unknown"
      var flags: Set<String> = []
      var megahertz: Double?
      for line in info.split(separator: "\n") {
        let parts = line.split(separator: ":", maxSplits: 1).map {
          $0.trimmingCharacters(in: .whitespaces)
        }
        guard parts.count == 2 else { continue }
        if model == "unknown", ["model name", "Model", "cpu model"].contains(parts[0]) {
          model = parts[1]
        }
        if flags.isEmpty, ["flags", "Features"].contains(parts[0]) {
          flags = Set(parts[1].split(separator: " ").map(String.init))
        }
        if megahertz == nil, parts[0] == "cpu MHz" { megahertz = Double(parts[1]) }
      }
      return (model, interestingFeatures.filter(flags.contains), megahertz)
    #elseif canImport(Darwin)
      var size = 0
      sysctlbyname("machdep.cpu.brand_string", nil, &size, nil, 0)
      var buffer = [CChar](repeating: 0, count: max(size, 1))
      sysctlbyname("machdep.cpu.brand_string", &buffer, &size, nil, 0)
      let model = String(
        decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      #if arch(arm64)
        return (model, ["neon"], nil)
      #else
        return (model, [], nil)
      #endif
    #else
      return ("unknown", [], nil)
    #endif
  }

  private static let swiftVersion: String = {
    #if compiler(>=6.4)
      "6.4 or later"
    #elseif compiler(>=6.3)
      "6.3"
    #elseif compiler(>=6.2)
      "6.2"
    #elseif compiler(>=6.1)
      "6.1"
    #else
      "6.0"
    #endif
  }()
}
