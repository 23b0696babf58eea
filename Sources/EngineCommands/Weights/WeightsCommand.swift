import ArgumentParser

/// `report weights`: CLIP checkpoints on disk.
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Inspect CLIP weights: the architecture a file holds, read from its header.",
        subcommands: [WeightsInfoCommand.self])
}
