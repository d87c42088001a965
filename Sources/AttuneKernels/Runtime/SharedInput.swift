/// A read-only input pointer handed to worker threads (the caller keeps the memory alive and
/// unchanged while they run).
package struct SharedInput: @unchecked Sendable {
  /// The first element.
  package let base: UnsafePointer<Float>

  /// Wraps `base`.
  package init(_ base: UnsafePointer<Float>) { self.base = base }
}
