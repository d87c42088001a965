import Foundation

/// One line on stderr before set-up work large enough to be felt (drawing random inputs, filling
/// a KV cache), so a command that is busy for seconds before its first call is not silent;
/// stdout stays the command's result.
enum SetupNotice {
  /// Bytes from which set-up is announced (256 MiB: about a second of drawing on 2 cores).
  static let thresholdBytes = 256 << 20

  /// Writes `attune: <what> (<size>)…` when `bytes` reach `thresholdBytes`.
  static func announce(_ what: String, bytes: Int) {
    guard bytes >= thresholdBytes else { return }
    let gigabytes = Double(bytes) / Double(1 << 30)
    let size =
      gigabytes >= 1
      ? "\((gigabytes * 10).rounded() / 10) GiB" : "\(bytes >> 20) MiB"
    FileHandle.standardError.write(Data("attune: \(what) (\(size))…\n".utf8))
  }
}
