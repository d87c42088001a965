// The `attune` command. Everything it does is in `_AttuneCLI` (a target of its own so that the
// option parsing can be fuzzed and reused); this file only starts it.
import _AttuneCLI

Attune.main()
