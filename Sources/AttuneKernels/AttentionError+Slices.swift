extension AttentionError {
  /// This error with a non-finite input's index counted from the start of its whole tensor:
  /// multi-head calls check each head's slice, whose errors name an index within the slice;
  /// `offsets[tensor]` is where that tensor's slice starts. Any other error is returned as is.
  ///
  /// - Complexity: O(1).
  package func inWholeTensors(_ offsets: [String: Int]) -> AttentionError {
    guard case .nonFiniteInput(let tensor, let index, let value) = self,
      let offset = offsets[tensor]
    else { return self }
    return .nonFiniteInput(tensor: tensor, index: index + offset, value: value)
  }
}
