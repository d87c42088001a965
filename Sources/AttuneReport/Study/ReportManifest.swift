import AttuneBench

/// `report.json`: what a report directory holds and how it was made.
public struct ReportManifest: Sendable, Hashable, Codable {
  /// The version of the report data format; readers refuse other versions.
  public static let currentSchemaVersion = 1

  /// This directory's format version.
  public let schemaVersion: Int
  /// The Attune version that measured it.
  public let attuneVersion: String
  /// What was measured.
  public let plan: StudyPlan
  /// Where.
  public let machine: MachineDescription
  /// Wall-clock seconds the whole study took.
  public let seconds: Double

  /// A manifest of the current format.
  public init(attuneVersion: String, plan: StudyPlan, machine: MachineDescription, seconds: Double)
  {
    schemaVersion = Self.currentSchemaVersion
    self.attuneVersion = attuneVersion
    self.plan = plan
    self.machine = machine
    self.seconds = seconds
  }
}
