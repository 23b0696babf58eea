import ArgumentParser
import Engine
import Foundation
import ReportKit

/// `report bench`: speed measurements (run them on a release build: `swift run -c release report bench ...`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the engine's speed (use a release build: swift run -c release report bench ...).",
        subcommands: [SgemmBenchCommand.self, CLIPBenchCommand.self, MetricsBenchCommand.self, SynthBenchCommand.self, ExperimentBenchCommand.self, PretrainBenchCommand.self, WinCLIPBenchCommand.self, GridBenchCommand.self])
}

/// Flags every benchmark takes.
struct BenchOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Threads for the matrix multiplies (default: every core).")
    var threads: Int?

    @Option(help: "Timed repetitions; the best is reported.")
    var repeats = 5

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if repeats < 1 { throw ValidationError("--repeats must be at least 1") }
    }
}

/// The weights a model benchmark times, and what it does before and after: threads set, errors reported, JSON printed.
struct BenchModelOptions: ParsableArguments {
    @Option(help: "OpenCLIP weights (.safetensors), e.g. a random ViT-B-16-plus-240 from scripts/bench/pytorch_clip.py --save.")
    var weights: String

    @Option(name: .customLong("model-config"), help: "JSON for what the shapes cannot tell; default: beside the weights.")
    var config: String?

    /// Runs `measure` under `options` and returns its result, or prints it as JSON and returns nil.
    func run<Result: Encodable>(_ command: String, _ options: BenchOptions,
                                _ measure: (_ weights: String, _ config: String?, _ repeats: Int) throws -> Result) throws -> Result? {
        if let threads = options.threads { BLAS.threads = threads; Parallel.cores = threads }
        let result = try reportingErrors(command) { try measure(weights, config, options.repeats) }
        guard options.json else { return result }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
        return nil
    }
}
