import AttuneKernels

/// One tuned result: where and for what it was tuned, the configuration chosen, how and how
/// surely it was chosen, and the times measured.
public struct WisdomEntry: Sendable, Hashable, Codable {
  /// One candidate's measured time.
  public struct CandidateTime: Sendable, Hashable, Codable {
    /// The candidate's label, as in `blockQ=64`.
    public let label: String
    /// Its median seconds per call over `measurements`.
    public let medianSeconds: Double
    /// How many measurements.
    public let measurements: Int

    /// A candidate's time.
    public init(label: String, medianSeconds: Double, measurements: Int) {
      self.label = label
      self.medianSeconds = medianSeconds
      self.measurements = measurements
    }
  }

  /// The machine, version and build it was tuned on.
  public let context: WisdomContext
  /// The kernel's name.
  public let kernel: String
  /// The shapes it serves.
  public let shapeClass: ShapeClass
  /// The element type (`float32`).
  public let dtype: String
  /// The configuration chosen: every parameter of the kernel.
  public let settings: [KernelSetting]
  /// The shape it was tuned at.
  public let tunedShape: AttentionShape
  /// The strategy that chose it (`race`, `grid`, `adaptive`).
  public let strategy: String
  /// The strategy's claim about the choice, in words.
  public let confidence: String
  /// The kind of claim.
  public let claim: String
  /// Every candidate's time.
  public let times: [CandidateTime]
  /// When it was tuned, ISO 8601 in UTC.
  public let date: String

  /// An entry.
  public init(
    context: WisdomContext, kernel: String, shapeClass: ShapeClass, dtype: String = "float32",
    settings: [KernelSetting], tunedShape: AttentionShape, strategy: String, confidence: String,
    claim: String, times: [CandidateTime], date: String
  ) {
    self.context = context
    self.kernel = kernel
    self.shapeClass = shapeClass
    self.dtype = dtype
    self.settings = settings
    self.tunedShape = tunedShape
    self.strategy = strategy
    self.confidence = confidence
    self.claim = claim
    self.times = times
    self.date = date
  }

  /// The identity of an entry: a newer entry with the same key replaces an older one.
  public struct Key: Hashable, Sendable {
    let machine: String
    let version: String
    let build: String
    let kernel: String
    let shapeClass: ShapeClass
    let dtype: String
    let threads: Int?
  }

  /// This entry's key.
  public var key: Key {
    Key(
      machine: context.machine.id, version: context.attuneVersion, build: context.build,
      kernel: kernel, shapeClass: shapeClass, dtype: dtype, threads: threads)
  }

  /// The thread count chosen, if the kernel takes one.
  public var threads: Int? { settings.first { $0.name == "threads" }?.value }

  /// The configured kernel.
  ///
  /// - Throws: `AttentionError` if the kernel or a setting is unknown to this build.
  public func makeKernel() throws(AttentionError) -> any AttentionKernel {
    try KernelCatalog.make(
      kernel, Dictionary(settings.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
  }

  /// `fused(blockQ=64, blockK=512, threads=2)`.
  public var configurationDescription: String {
    "\(kernel)(" + settings.map { "\($0.name)=\($0.value)" }.joined(separator: ", ") + ")"
  }
}
