import ReportKit
import ArgumentParser

/// `report bench`: speed measurements (run them on a release build: `swift run -c release report bench ...`).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the engine's speed (use a release build: swift run -c release report bench ...).",
        subcommands: [SgemmBenchCommand.self, CLIPBenchCommand.self, MetricsBenchCommand.self, SynthBenchCommand.self, ExperimentBenchCommand.self, PretrainBenchCommand.self, WinCLIPBenchCommand.self])
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
