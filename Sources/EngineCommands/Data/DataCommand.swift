import ReportKit
import ArgumentParser

/// `report data`: datasets on disk.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Check a dataset copy (MVTec AD, VisA, or your own folder in MVTec layout), or write the synthetic benchmark.",
        subcommands: [DataCheckCommand.self, DataSynthCommand.self, DataSheetCommand.self])
}
