import ArgumentParser
import AttuneTuner
import Foundation

/// Ctrl-C during tuning: the first SIGINT asks the strategies to stop before their next
/// measurement, so the command still writes what was measured (atomically) and exits with 130;
/// a second SIGINT ends the process at once, as usual.
enum Interruption {
  static func install() {
    // A parent may have left SIGINT blocked (the mask is inherited): unblock it for this thread.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    signal(SIGINT) { _ in
      if TuningInterruption.isRequested {
        signal(SIGINT, SIG_DFL)
        raise(SIGINT)
      }
      TuningInterruption.request()
    }
  }

  /// Exit status 130 (128 + SIGINT) after a note on stderr, when a stop was requested.
  static func exitIfRequested(kept measurements: Int) throws {
    guard TuningInterruption.isRequested else { return }
    FileHandle.standardError.write(
      Data("interrupted: kept the \(measurements) measurements taken so far\n".utf8))
    throw ExitCode(130)
  }
}
