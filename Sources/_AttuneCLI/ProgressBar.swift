import AttuneBench
import Foundation

/// A one-line progress bar with an ETA on stderr, drawn only when stderr is a terminal (so logs
/// and pipes stay clean), at most ten times a second.
struct ProgressBar {
  private let enabled: Bool
  private var lastDraw = -1.0
  private let width = 28

  /// A bar that draws when stderr is a terminal and `quiet` is false.
  init(quiet: Bool) { enabled = !quiet && isatty(STDERR_FILENO) != 0 }

  /// Redraws for `progress` (throttled).
  mutating func update(_ progress: MeasurementProgress) {
    guard enabled else { return }
    let now = progress.elapsedSeconds
    guard progress.completed == progress.total || now - lastDraw >= 0.1 else { return }
    lastDraw = now
    let fraction = progress.total > 0 ? Double(progress.completed) / Double(progress.total) : 1
    let bar = Self.bar(fraction, width: width)
    let eta = progress.remainingSeconds.map { "ETA \(Self.clock($0))" } ?? "ETA --:--"
    let line =
      "\r[\(bar)] \(Int(fraction * 100))%  \(progress.completed)/\(progress.total)  \(eta)  \(progress.current)"
    Self.write(String(line.prefix(160)) + "\u{1B}[K")
  }

  /// Clears the line.
  func finish() {
    guard enabled else { return }
    Self.write("\r\u{1B}[K")
  }

  private static func write(_ text: String) {
    FileHandle.standardError.write(Data(text.utf8))
  }

  /// `width` cells, the first `fraction` of them filled.
  static func bar(_ fraction: Double, width: Int) -> String {
    let filled = min(max(Int((fraction * Double(width)).rounded(.down)), 0), width)
    return String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
  }

  /// `m:ss`.
  static func clock(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    let s = total % 60
    return "\(total / 60):\(s < 10 ? "0" : "")\(s)"
  }
}
