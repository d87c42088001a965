/// What a strategy adds to its outcome beyond its claim (see `TuningOutcome`): the margin it
/// claims, the autocorrelation it found, the candidates it screened out.
struct OutcomeDetails {
  var margin: Double? = nil
  var autocorrelation: Double? = nil
  var screened: [String: String] = [:]
}
