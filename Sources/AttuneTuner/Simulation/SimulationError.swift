/// A simulation that cannot be set up as asked.
package enum SimulationError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A noise model name that is not a known base with known modifiers.
  case unknownNoise(String, known: [String])
  /// A profile name that is not known.
  case unknownProfile(String, known: [String])

  /// One line saying what was wrong and what is known.
  package var description: String {
    switch self {
    case .unknownNoise(let name, let known):
      return
        "no '\(name)'; a noise model is a base (\(known.filter { !$0.hasPrefix("+") }.joined(separator: ", "))) with optional modifiers (\(known.filter { $0.hasPrefix("+") }.joined(separator: ", ")))"
    case .unknownProfile(let name, let known):
      return "no '\(name)'; known: \(known.joined(separator: ", "))"
    }
  }
}
