import ArgumentParser

extension Attune {
  /// `attune wisdom`: the tuned results kept for this machine.
  struct Wisdom: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show, export, import or clear the tuned results kept for this machine.",
      discussion: """
        Wisdom holds, per machine fingerprint, Attune version, build, kernel and shape class, the \
        configuration a tuner chose, how sure it was, the times it measured and the date. \
        `attune tune --save` and `attune plan --level measure` write it; plans use it. It lives \
        in $ATTUNE_WISDOM, else $XDG_CACHE_HOME/attune/wisdom.json (~/.cache/attune/wisdom.json); \
        --wisdom overrides both.
        """,
      subcommands: [Show.self, Path.self, Export.self, Import.self, Clear.self],
      defaultSubcommand: Show.self)
  }
}
