import AttuneKernels
import AttuneStats
import AttuneTuner
import Foundation

extension WisdomEntry {
  /// The entry a tuning run makes: the chosen candidate's configuration, the strategy's claim,
  /// and each candidate's median time; nil when the run chose nothing.
  ///
  /// - Parameters:
  ///   - outcome: The run's outcome.
  ///   - candidates: The kernels the run measured, in the order `outcome` indexes them.
  ///   - labels: Their labels.
  ///   - shape: The shape tuned at.
  ///   - context: Where it ran.
  ///   - choice: The candidate to keep, if not the outcome's own choice.
  ///   - confidence: The claim to record, if not the outcome's own.
  package init?(
    outcome: TuningOutcome, candidates: [any AttentionKernel], labels: [String],
    shape: AttentionShape, context: WisdomContext, choice: Int? = nil, confidence: String? = nil
  ) {
    guard let choice = choice ?? outcome.choice, candidates.indices.contains(choice) else {
      return nil
    }
    let kernel = candidates[choice]
    let times = candidates.indices.compactMap { index -> CandidateTime? in
      let seconds = outcome.trace.filter { $0.candidate == index }.map(\.seconds)
      guard let median = try? Summary(seconds).median else { return nil }
      return CandidateTime(
        label: labels.indices.contains(index) ? labels[index] : "\(index)",
        medianSeconds: median, measurements: seconds.count)
    }
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    self.init(
      context: context, kernel: kernel.name, shapeClass: ShapeClass(shape),
      settings: kernel.settings, tunedShape: shape, strategy: outcome.strategy,
      confidence: confidence ?? outcome.confidence, claim: outcome.claim.rawValue, times: times,
      date: formatter.string(from: Date()))
  }
}
