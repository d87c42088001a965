import AttuneBench
import AttuneKernels
import AttuneStats
import AttuneTuner
import Foundation

/// Chooses a kernel configuration for a shape: from built-in defaults, from wisdom tuned earlier,
/// or by tuning now, as the planning level allows.
///
/// ```swift
/// let planner = AttentionPlanner()                      // wisdom from the standard place
/// let plan = try planner.plan(for: shape)               // wisdom if any, else defaults
/// let o = try plan.execute(q: q, k: k, v: v)
/// let tuned = try planner.plan(for: shape, level: .measure(seconds: 10))
/// ```
public struct AttentionPlanner: Sendable {
  /// Where wisdom is read and written; nil for none.
  public var wisdom: WisdomStore?
  /// The machine, version and build that wisdom must match.
  public var context: WisdomContext

  /// A planner; by default it uses the standard wisdom file of this user, if there is a place
  /// for one.
  public init(
    wisdom: WisdomStore? = try? WisdomStore.standard(), context: WisdomContext = .current()
  ) {
    self.wisdom = wisdom
    self.context = context
  }

  /// The configuration used when nothing better is known.
  public static func defaultKernel() -> any AttentionKernel { FusedAttention() }

  /// A plan for `shape` at `level`.
  ///
  /// - Throws: `PlanningError.noWisdom` for `wisdomOnly` without an entry, `.attention` for an
  ///   invalid shape, `.invalidBudget` for a non-positive `measure` budget.
  public func plan(
    for shape: AttentionShape, level: PlanningLevel = .automatic
  ) throws(PlanningError) -> AttentionPlan {
    let clock = MonotonicClock()
    let start = clock.seconds()
    do throws(AttentionError) { try shape.validate() } catch { throw .attention(error) }
    if case .measure(let seconds) = level, !(seconds > 0 && seconds.isFinite) {
      throw .invalidBudget(seconds)
    }
    func plan(
      _ kernel: any AttentionKernel, _ source: PlanSource, _ reason: String,
      entry: WisdomEntry? = nil, measurements: Int = 0, warnings: [String] = []
    ) -> AttentionPlan {
      AttentionPlan(
        shape: shape, kernel: kernel, source: source, reason: reason,
        measurements: measurements, planningSeconds: clock.seconds() - start,
        wisdomEntry: entry, warnings: warnings)
    }
    let defaults = Self.defaultKernel()
    if level == .estimate {
      return plan(defaults, .defaults, "estimate: the built-in defaults, without wisdom")
    }
    var warnings: [String] = []
    if let wisdom {
      let found = wisdom.entry(
        for: shape, threads: defaults.settings.first { $0.name == "threads" }?.value,
        context: context)
      warnings += found.warnings
      if let entry = found.entry {
        do throws(AttentionError) {
          let kernel = try entry.makeKernel()
          return plan(
            kernel, .wisdom,
            "wisdom: tuned by \(entry.strategy) at \(entry.tunedShape) on \(entry.date) (\(entry.confidence))",
            entry: entry, warnings: warnings)
        } catch {
          warnings.append("a wisdom entry names a configuration this build refuses: \(error)")
        }
      }
    }
    switch level {
    case .estimate, .automatic:
      let why = wisdom == nil ? "no wisdom store" : "no wisdom applies to \(ShapeClass(shape))"
      return plan(defaults, .defaults, "defaults: \(why)", warnings: warnings)
    case .wisdomOnly:
      throw .noWisdom(
        shape: shape,
        reason: wisdom.map { "none in \($0.path) for \(ShapeClass(shape)) on this machine" }
          ?? "no wisdom store")
    case .measure(let seconds):
      return try measure(shape, seconds: seconds, start: start, clock: clock, warnings: warnings)
    }
  }

  /// More float operations per second than one thread of the CPUs Attune was measured on does
  /// (a Zen 5 core reaches about 150 G in the fused kernel, a Zen 3 core about 60 G): a lower
  /// bound on a call's time.
  static let fastestFlopsPerThread = 200e9

  static func format(_ seconds: Double) -> String {
    seconds < 0.01 ? "\(Double(Int(seconds * 1e4)) / 1e4)" : "\(Double(Int(seconds * 100)) / 100)"
  }

  /// The candidates a measuring plan races: the fused kernel's tile sizes around its defaults
  /// (which the micro-kernel table in use sets): half, once and twice its rows, half and once its
  /// keys.
  static func candidates(for shape: AttentionShape) -> [(any AttentionKernel, String)] {
    var result: [(any AttentionKernel, String)] = []
    let (rows, keys) = (FusedAttention().blockQ, FusedAttention().blockK)
    for blockQ in [rows / 2, rows, 2 * rows] where blockQ <= max(shape.queries, rows / 2) {
      for blockK in [keys / 2, keys] {
        if let kernel = try? FusedAttention(blockQ: blockQ, blockK: blockK) {
          result.append((kernel, "blockQ=\(blockQ), blockK=\(blockK)"))
        }
      }
    }
    return result
  }

  private func measure(
    _ shape: AttentionShape, seconds: Double, start: Double, clock: MonotonicClock,
    warnings: [String]
  ) throws(PlanningError) -> AttentionPlan {
    var warnings = warnings
    // A budget is a promise: when even a fast CPU could not time a few calls within it, nothing
    // is started (the target's setup alone makes two calls).
    let fastest = shape.flops / (Self.fastestFlopsPerThread * Double(FusedAttention().threads))
    guard 4 * fastest <= seconds else {
      return AttentionPlan(
        shape: shape, kernel: Self.defaultKernel(), source: .defaults,
        reason:
          "defaults: one call takes at least \(Self.format(fastest)) s here, too long to race tile sizes within a budget of \(Self.format(seconds)) s; nothing measured or saved",
        measurements: 0, planningSeconds: clock.seconds() - start, wisdomEntry: nil,
        warnings: warnings)
    }
    let candidates = Self.candidates(for: shape)
    let target: KernelTuningTarget
    do throws(AttentionError) {
      target = try KernelTuningTarget(
        kernels: candidates.map(\.0), labels: candidates.map(\.1), shape: shape, seed: 1)
    } catch { throw .attention(error) }
    // Leave room for one more measurement and for saving.
    let remaining = seconds - (clock.seconds() - start) - 0.05
    let outcome = RaceSearch().tune(
      target, budget: TuningBudget(measurements: 1_000_000, seconds: max(remaining, 0.01)),
      seed: 1)
    guard let choice = outcome.choice, outcome.measurements > 0 else {
      let why =
        outcome.stopReason == .noCandidates
        ? "every candidate failed to run" : "the budget ended before a measurement"
      return AttentionPlan(
        shape: shape, kernel: Self.defaultKernel(), source: .defaults,
        reason: "defaults: \(why); nothing saved", measurements: outcome.measurements,
        planningSeconds: clock.seconds() - start, wisdomEntry: nil, warnings: warnings)
    }
    // A run the budget stopped with no claim at ε: keep its leader only if it beat the defaults
    // (one-sided Welch test on log times, p < 0.05, and faster by at least 1 %).
    var chosen = choice
    var note = outcome.confidence
    let defaults = Self.defaultKernel().settings
    if outcome.stopReason != .converged, outcome.claim == .none,
      let base = candidates.firstIndex(where: { $0.0.settings == defaults }), base != choice
    {
      func logs(_ index: Int) -> [Double] {
        outcome.trace.filter { $0.candidate == index }.map { log($0.seconds) }
      }
      let leader = logs(choice)
      let reference = logs(base)
      let test = try? WelchTTest(leader, reference)
      let gain =
        reference.reduce(0, +) / Double(max(reference.count, 1)) - leader.reduce(0, +)
        / Double(max(leader.count, 1))
      if !(test.map { $0.pLess < 0.05 } ?? false) || gain < log(1.01) {
        chosen = base
        note =
          "the budget ended the race before a claim, and its leader \(candidates[choice].1) did not beat the defaults significantly, so the defaults stay"
      }
    }
    let kernel = candidates[chosen].0
    // Wisdom records what measurements established: a claim, or at least three measurements of
    // each candidate, never the few a budget's end left.
    let established =
      outcome.stopReason == .converged || outcome.measurements >= 3 * candidates.count
    if !established { note += "; too few measurements to save as wisdom" }
    let entry =
      !established
      ? nil
      : WisdomEntry(
        outcome: outcome, candidates: candidates.map(\.0), labels: candidates.map(\.1),
        shape: shape, context: context, choice: chosen, confidence: note)
    if let wisdom, let entry {
      do throws(WisdomError) { warnings += try wisdom.record([entry]) } catch {
        warnings.append("tuned, but could not save wisdom: \(error)")
      }
    }
    return AttentionPlan(
      shape: shape, kernel: kernel, source: .measured,
      reason:
        "measured: \(kernel.configurationDescription), from \(candidates.count) tile sizes raced in \(outcome.measurements) measurements (\(note))",
      measurements: outcome.measurements, planningSeconds: clock.seconds() - start,
      wisdomEntry: entry, warnings: warnings)
  }
}
