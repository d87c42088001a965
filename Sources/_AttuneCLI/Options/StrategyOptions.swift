import ArgumentParser
import AttuneTuner

/// Parsing strategy names into strategies.
enum StrategyOptions {
  static let names = ["grid", "adaptive", "race"]

  /// The strategies named in `text` (comma-separated), the race with `epsilon` and `delta`.
  static func strategies(_ text: String, epsilon: Double, delta: Double) throws
    -> [any TuningStrategy]
  {
    try ListParsing.names(text, flag: "--strategy").map { name in
      switch name {
      case "grid": return GridSearch()
      case "adaptive": return AdaptiveSearch()
      case "race": return RaceSearch(epsilon: epsilon, delta: delta)
      default:
        throw ValidationError("--strategy: no '\(name)'; known: \(names.joined(separator: ", "))")
      }
    }
  }
}
