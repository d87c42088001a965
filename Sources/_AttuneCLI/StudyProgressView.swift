import AttuneReport
import Foundation

/// Progress of `attune report` on stderr: a line when each stage starts, and on a terminal a
/// bar for the stage with the elapsed time, redrawn at most ten times a second.
struct StudyProgressView {
  private let enabled: Bool
  private let isTerminal = isatty(STDERR_FILENO) != 0
  private var stage = 0
  private var lastDraw = -1.0
  private let width = 24

  init(quiet: Bool) { enabled = !quiet }

  mutating func update(_ progress: StudyProgress) {
    guard enabled else { return }
    if progress.stage != stage {
      stage = progress.stage
      if isTerminal { write("\r\u{1B}[K") }
      write("[\(progress.stage)/\(progress.stages)] \(progress.name)…\n")
    }
    guard isTerminal, progress.elapsedSeconds - lastDraw >= 0.1 || progress.fraction >= 1 else {
      return
    }
    lastDraw = progress.elapsedSeconds
    let bar = ProgressBar.bar(progress.fraction, width: width)
    let line =
      "\r[\(bar)] \(Int(progress.fraction * 100))%  \(ProgressBar.clock(progress.elapsedSeconds)) elapsed  \(progress.detail)"
    write(String(line.prefix(160)) + "\u{1B}[K")
  }

  func finish() {
    guard enabled, isTerminal else { return }
    write("\r\u{1B}[K")
  }

  private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
