import ArgumentParser

/// `report data`: datasets on disk.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Check a dataset copy (MVTec AD, VisA, or your own folder in MVTec layout).",
        subcommands: [DataCheckCommand.self])
}
