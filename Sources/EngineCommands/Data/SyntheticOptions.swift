import ReportKit
import ArgumentParser
import Engine

/// Which synthetic benchmark: shared by `data synth` and `data sheet`.
struct SyntheticOptions: ParsableArguments {
    @Option(help: "Seed: the same seed makes the same images.")
    var seed: UInt64 = 0

    @Option(help: "Image side in pixels.")
    var size = 256

    func validate() throws {
        if size < 64 || size > 1024 { throw ValidationError("--size must be 64...1024") }
    }

    var benchmark: SyntheticBenchmark { SyntheticBenchmark(seed: seed, size: size) }
}
