import ArgumentParser
import Foundation

/// Comma-separated lists on the command line (`--sizes 256,512,1024`).
enum ListParsing {
  /// Positive integers, or a `ValidationError` naming the flag.
  static func positiveIntegers(_ text: String, flag: String) throws -> [Int] {
    let items = text.split(separator: ",", omittingEmptySubsequences: false)
    var values: [Int] = []
    for item in items {
      let trimmed = item.trimmingCharacters(in: .whitespaces)
      guard let value = Int(trimmed), value >= 1 else {
        throw ValidationError(
          "\(flag) takes positive integers separated by commas, got '\(trimmed)'")
      }
      values.append(value)
    }
    guard !values.isEmpty else { throw ValidationError("\(flag) needs at least one value") }
    return values
  }

  /// Non-empty names.
  static func names(_ text: String, flag: String) throws -> [String] {
    let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else {
      throw ValidationError("\(flag) takes names separated by commas, got '\(text)'")
    }
    return names
  }
}
