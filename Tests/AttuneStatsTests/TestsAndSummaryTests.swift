import AttuneStats
import Testing

/// Welch, Mann–Whitney, summaries and intervals against SciPy 1.17.1 / NumPy 2.4.6 values
/// (the Python lines that produced each are quoted beside it).
struct WelchTTestTests {
  let x = [10.1, 9.8, 10.4, 10.0, 10.9, 9.7, 10.2]
  let y = [11.0, 10.6, 11.9, 10.8, 11.2]

  @Test("t, degrees of freedom and p-values match scipy.stats.ttest_ind(equal_var=False)")
  func reference() throws {
    let test = try WelchTTest(x, y)
    // ttest_ind(x, y, equal_var=False).statistic
    #expect(abs(test.t - -3.4833467721971125) <= 1e-12)
    #expect(abs(test.degreesOfFreedom - 7.505190059543742) <= 1e-12)  // Welch–Satterthwaite
    #expect(abs(test.pTwoSided - 0.009151359930747996) <= 1e-12)  // .pvalue
    #expect(abs(test.pLess - 0.004575679965373998) <= 1e-12)  // alternative='less'
    #expect(abs(test.pGreater - 0.995424320034626) <= 1e-12)  // alternative='greater'
  }

  @Test("degenerate inputs throw instead of returning NaN")
  func degenerate() {
    #expect(throws: StatsError.tooFewSamples(needed: 2, got: 1)) { try WelchTTest([1], [1, 2]) }
    #expect(throws: StatsError.empty) { try WelchTTest([], [1, 2]) }
    #expect(throws: StatsError.zeroVariance) { try WelchTTest([3, 3, 3], [3, 3]) }
    #expect(throws: StatsError.zeroVariance) { try WelchTTest([1, 1], [2, 2]) }
    #expect(throws: StatsError.nonFinite) { try WelchTTest([1, .nan], [1, 2]) }
  }

  @Test("one constant sample against a varying one is fine")
  func oneConstant() throws {
    let test = try WelchTTest([5, 5, 5], [6, 7, 8])
    #expect(test.t < 0 && test.pLess < 0.05 && test.degreesOfFreedom > 0)
  }
}

struct MannWhitneyUTests {
  let a = [1.0, 2, 2, 3, 4, 4, 4, 5, 9]
  let b = [3.0, 4, 4, 5, 6, 7, 7, 8]

  @Test("U and p-values match scipy.stats.mannwhitneyu(method='asymptotic'), with ties")
  func reference() throws {
    let test = try MannWhitneyU(a, b)
    #expect(test.u == 18)  // .statistic
    #expect(abs(test.pTwoSided - 0.087402412871794) <= 1e-12)  // alternative='two-sided'
    #expect(abs(test.pLess - 0.043701206435897) <= 1e-12)  // alternative='less'
    #expect(abs(test.pGreater - 0.96461373078133) <= 1e-12)  // alternative='greater'
  }

  @Test("degenerate inputs throw")
  func degenerate() {
    #expect(throws: StatsError.empty) { try MannWhitneyU([], [1]) }
    #expect(throws: StatsError.zeroVariance) { try MannWhitneyU([2, 2], [2]) }
    #expect(throws: StatsError.nonFinite) { try MannWhitneyU([.infinity], [1]) }
  }
}

struct SummaryTests {
  let s = [3.1, 2.7, 5.9, 3.3, 3.0, 2.9, 12.0, 3.2]

  @Test("mean, sd, median, MAD and quantiles match NumPy and SciPy")
  func reference() throws {
    let summary = try Summary(s)
    #expect(abs(summary.mean - 4.5125) <= 1e-12)  // np.mean
    #expect(abs((summary.standardDeviation ?? 0) - 3.1925974646717634) <= 1e-12)  // np.std(ddof=1)
    #expect(abs(summary.median - 3.15) <= 1e-12)  // np.median
    #expect(abs(summary.mad - 0.2) <= 1e-12)  // scipy.stats.median_abs_deviation
    #expect(abs(summary.quantile(0.1) - 2.84) <= 1e-12)  // np.quantile(s, .1)
    #expect(abs(summary.quantile(0.25) - 2.975) <= 1e-12)
    #expect(abs(summary.quantile(0.9) - 7.73) <= 1e-12)
    #expect(summary.minimum == 2.7 && summary.maximum == 12)
  }

  @Test("one sample has no standard deviation; none is an error")
  func degenerate() throws {
    let one = try Summary([4])
    #expect(one.standardDeviation == nil && one.median == 4 && one.mad == 0)
    #expect(throws: StatsError.empty) { try Summary([]) }
    #expect(throws: StatsError.nonFinite) { try Summary([1, .nan]) }
    let constant = try Summary([2, 2, 2])
    #expect(constant.standardDeviation == 0)
  }
}

struct ConfidenceIntervalTests {
  @Test("the t interval for the mean matches scipy.stats.t.interval")
  func mean() throws {
    let s = [3.1, 2.7, 5.9, 3.3, 3.0, 2.9, 12.0, 3.2]
    let interval = try ConfidenceInterval.mean(s)
    // stats.t.interval(0.95, 7, loc=np.mean(s), scale=stats.sem(s))
    #expect(abs(interval.lower - 1.843421725192433) <= 1e-9)
    #expect(abs(interval.upper - 7.181578274807567) <= 1e-9)
    #expect(throws: StatsError.tooFewSamples(needed: 2, got: 1)) {
      try ConfidenceInterval.mean([1])
    }
    let flat = try ConfidenceInterval.mean([2, 2, 2])
    #expect(flat.lower == 2 && flat.upper == 2)
  }

  /// (n, lower order statistic, upper, coverage) from scipy.stats.binom: the largest k with
  /// 1 − 2·binom.cdf(k − 1, n, ½) ≥ 0.95.
  @Test(
    "the median interval uses the order statistics and coverage SciPy's binomial gives",
    arguments: [
      (6, 1, 6, 0.96875), (10, 2, 9, 0.978515625), (20, 6, 15, 0.9586105346679688),
      (100, 40, 61, 0.9647997997822951),
    ])
  func median(n: Int, lower: Int, upper: Int, coverage: Double) throws {
    let samples = (1...n).map { Double($0) }.shuffled()
    let interval = try ConfidenceInterval.median(samples)
    #expect(interval.lower == Double(lower) && interval.upper == Double(upper))
    #expect(abs(interval.confidence - coverage) <= 1e-12)
  }

  @Test("with 5 samples no interval reaches 95 %: [min, max] and its true coverage")
  func fewSamples() throws {
    let interval = try ConfidenceInterval.median([5, 1, 4, 2, 3])
    #expect(interval.lower == 1 && interval.upper == 5)
    #expect(abs(interval.confidence - 0.9375) <= 1e-12)
    let single = try ConfidenceInterval.median([7])
    #expect(single.lower == 7 && single.upper == 7 && single.confidence == 0)
  }
}

struct PairedTrimmedDifferenceTests {
  let x = [3.1, 2.7, 5.9, 3.3, 3.0, 2.9, 12.0, 3.2, 2.8, 3.05, 3.4]
  let y = [2.9, 2.8, 3.1, 3.0, 2.7, 3.3, 3.0, 9.0, 2.6, 3.2, 3.1]

  @Test("Yuen's paired comparison matches its formula computed with SciPy's winsorize")
  func reference() throws {
    // g = ⌊0.2·11⌋ = 2, h = 7; wx, wy = mstats.winsorize(x|y, limits=(0.2, 0.2));
    // d = (n−1)/(h(h−1)); SE = sqrt(d·(var(wx) + var(wy) − 2·cov(wx, wy))), ddof = 1.
    let c = try PairedTrimmedDifference(x, y, proportion: 0.2)
    #expect(abs(c.estimate - 0.12142857142857189) < 1e-12)  // trim_mean(x) − trim_mean(y)
    #expect(abs(c.standardError - 0.1036665483497606) < 1e-12)
    #expect(c.degreesOfFreedom == 6 && c.trimmed == 2)
    // Lag-1 autocorrelation of winsorize(x − y, limits=(0.2, 0.2)), centred.
    #expect(abs(c.lagOneAutocorrelation - -0.5191732136176581) < 1e-12)
  }

  @Test("a shared shift cancels: the pair's covariance removes what both rounds share")
  func sharedDrift() throws {
    let drift = (0..<20).map { Double($0) * 0.05 }
    let noise = [0.01, -0.02, 0.015, 0, -0.01, 0.02, -0.015, 0.005, -0.005, 0.01]
    let a = drift.indices.map { drift[$0] + noise[$0 % 10] + 1 }
    let b = drift.indices.map { drift[$0] - noise[($0 + 3) % 10] }
    let c = try PairedTrimmedDifference(a, b)
    #expect(abs(c.estimate - 1) < 0.02)
    #expect(c.standardError < 0.01, "drift of 1.0 over the run must not widen the interval")
  }

  @Test("bad inputs throw")
  func degenerate() {
    #expect(throws: StatsError.mismatchedCounts(2, 3)) {
      try PairedTrimmedDifference([1, 2], [1, 2, 3])
    }
    #expect(throws: StatsError.empty) { try PairedTrimmedDifference([], []) }
    #expect(throws: StatsError.tooFewSamples(needed: 2, got: 1)) {
      try PairedTrimmedDifference([1], [2])
    }
    #expect(throws: StatsError.nonFinite) { try PairedTrimmedDifference([1, .nan], [1, 2]) }
  }
}
