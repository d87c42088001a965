import Foundation

/// Attune against NumPy, PyTorch and onnxruntime on the same machine, as
/// `scripts/bench/peer_benchmark.py --json FILE` writes it: per problem size, every candidate's
/// samples from the same interleaved rounds and its time over the reference's (an Attune kernel),
/// median over rounds with a distribution-free 95 % interval.
package struct PeerComparison: Sendable, Hashable, Codable {
  /// One candidate at one size.
  package struct Candidate: Sendable, Hashable, Codable {
    /// `numpy`, `numpy-gemm`, `onnxruntime`, `torch`, `attune-fused`…
    package let name: String
    /// Seconds per call, one sample per round, in round order.
    package let seconds: [Double]
    /// Median seconds per call.
    package let median: Double
    /// FLOPs (4·N²·d) over the median time, in 10⁹ per second.
    package let gflops: Double
    /// Median over rounds of this candidate's time over the reference's: above 1, Attune is
    /// faster.
    package let ratio: Double
    /// The ratio's 95 % interval, `[lower, upper]`.
    package let interval: [Double]
    /// Largest error against a float64 reference, relative to max |V| (nil where not checked).
    package let maxError: Double?

    enum CodingKeys: String, CodingKey {
      case name = "candidate"
      case seconds, median, gflops
      case ratio = "ratio_over_reference"
      case interval = "ratio_interval"
      case maxError = "max_error"
    }
  }

  /// One problem size.
  package struct Shape: Sendable, Hashable, Codable {
    /// N (Nq = Nk).
    package let n: Int
    /// The head dimension.
    package let d: Int
    /// The candidate every ratio divides by.
    package let reference: String
    /// Every candidate measured, in the order of the run.
    package let candidates: [Candidate]
  }

  /// The sizes measured.
  package let shapes: [Shape]
  /// NumPy's version.
  package let numpy: String?
  /// PyTorch's version, where installed.
  package let torch: String?
  /// onnxruntime's version, where installed.
  package let onnxruntime: String?

  /// Reads and checks a peers file.
  ///
  /// - Throws: `ReportError` naming the file: unreadable, not this JSON, or inconsistent.
  package static func load(path: String) throws(ReportError) -> PeerComparison {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw .unreadable(path, reason: "missing, a directory, or not readable")
    }
    let peers: PeerComparison
    do { peers = try JSONDecoder().decode(PeerComparison.self, from: data) } catch {
      throw .malformed(path, reason: ReportData.explain(error))
    }
    try peers.validate(path: path)
    return peers
  }

  /// Checks that every size has its reference and every number is finite.
  package func validate(path: String) throws(ReportError) {
    guard !shapes.isEmpty else { throw .inconsistent(path, reason: "no sizes") }
    for shape in shapes {
      guard shape.n > 0, shape.d > 0,
        shape.candidates.contains(where: { $0.name == shape.reference })
      else {
        throw .inconsistent(path, reason: "N=\(shape.n): no reference \(shape.reference)")
      }
      let rounds = shape.candidates.first?.seconds.count ?? 0
      for c in shape.candidates {
        guard c.seconds.count == rounds, rounds > 0, c.seconds.allSatisfy({ $0 > 0 && $0.isFinite })
        else {
          throw .inconsistent(path, reason: "N=\(shape.n): \(c.name) has not one sample per round")
        }
        let numbers = [c.median, c.gflops, c.ratio] + c.interval + (c.maxError.map { [$0] } ?? [])
        guard c.interval.count == 2, numbers.allSatisfy({ $0.isFinite && $0 >= 0 }), c.median > 0
        else {
          throw .inconsistent(path, reason: "N=\(shape.n): \(c.name) has impossible numbers")
        }
      }
    }
  }
}
