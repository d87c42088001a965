import ArgumentParser

@main
struct Attune: ParsableCommand {
  static let configuration = CommandConfiguration(abstract: "x")
}
