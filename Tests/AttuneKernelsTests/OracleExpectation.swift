import Testing
import _AttuneTestSupport

/// Records an issue, labelled with `label`, unless `output` lies within `bound` of the oracle's
/// output everywhere, holds no NaN, and `lse` agrees with the oracle's log-sum-exp row by row.
func expectAgreement(
  _ output: [Float], _ lse: [Float], with want: (output: [Double], logSumExp: [Double]),
  within bound: Double, _ label: String, sourceLocation: SourceLocation = #_sourceLocation
) {
  let error = maxAbsoluteError(output, want.output)
  #expect(error <= bound, "\(label): max error \(error) > \(bound)", sourceLocation: sourceLocation)
  if let bad = firstLogSumExpMismatch(lse, want.logSumExp) {
    Issue.record(
      "\(label): log-sum-exp of row \(bad.row) is \(bad.got), want \(bad.want)",
      sourceLocation: sourceLocation)
  }
  #expect(
    !output.contains { $0.isNaN }, "\(label): NaN in the output", sourceLocation: sourceLocation)
}
