import ArgumentParser

/// `report weights`: CLIP checkpoints on disk.
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "CLIP weights: the architecture a file holds (info), and PyTorch checkpoints converted to safetensors (import).",
        subcommands: [WeightsInfoCommand.self, WeightsImportCommand.self])
}
