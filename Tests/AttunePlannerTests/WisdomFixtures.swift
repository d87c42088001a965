import AttuneKernels
import AttunePlanner
import Foundation

/// A fresh wisdom file path in a new temporary directory.
func temporaryWisdom() throws -> WisdomStore {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("attune-wisdom-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  return WisdomStore(path: directory.appendingPathComponent("wisdom.json").path)
}

/// An entry for the fused kernel with unusual tiles (so a plan using it is recognisable), tuned
/// at `shape` in `context`.
func fusedEntry(
  _ shape: AttentionShape, blockQ: Int = 48, blockK: Int = 96,
  context: WisdomContext = .current(), date: String = "2026-01-01T00:00:00Z"
) throws -> WisdomEntry {
  let kernel = try FusedAttention(blockQ: blockQ, blockK: blockK)
  return WisdomEntry(
    context: context, kernel: "fused", shapeClass: ShapeClass(shape), settings: kernel.settings,
    tunedShape: shape, strategy: "race", confidence: "test entry", claim: "withinMargin",
    times: [
      .init(label: "blockQ=\(blockQ), blockK=\(blockK)", medianSeconds: 0.01, measurements: 5)
    ],
    date: date)
}

extension WisdomContext {
  /// This context with one part changed.
  func changing(_ change: (inout WisdomContext) -> Void) -> WisdomContext {
    var copy = self
    change(&copy)
    return copy
  }
}
