import AttuneBench

/// `report.json`: what a report directory holds and how it was made.
package struct ReportManifest: Sendable, Hashable, Codable {
  /// The version of the report data format; readers refuse other versions.
  package static let currentSchemaVersion = 1

  /// This directory's format version.
  package let schemaVersion: Int
  /// The Attune version that measured it.
  package let attuneVersion: String
  /// What was measured.
  package let plan: StudyPlan
  /// Where.
  package let machine: MachineDescription
  /// Wall-clock seconds the whole study took.
  package let seconds: Double

  /// A manifest of the current format.
  package init(attuneVersion: String, plan: StudyPlan, machine: MachineDescription, seconds: Double)
  {
    schemaVersion = Self.currentSchemaVersion
    self.attuneVersion = attuneVersion
    self.plan = plan
    self.machine = machine
    self.seconds = seconds
  }
}
