import ArgumentParser
import Engine
import Foundation
import ReportKit

struct PretrainBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Training steps/s of the small CLIP as `report pretrain` runs it; compare with scripts/bench/pytorch_pretrain.py.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Images per step.")
    var batch = 32

    @Option(help: "Timed steps (after one warm-up step).")
    var steps = 5

    @Option(help: "The patch tokens the dense term reads: value-value or ordinary (as `report pretrain --dense-tokens`).")
    var denseTokens: DenseTokens = .valueValue

    func run() throws {
        var settings = PretrainingSettings()
        settings.batchSize = batch
        settings.denseTokens = denseTokens
        let result = PretrainingBenchmark.run(settings, steps: steps)
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        } else {
            print(String(format: "%.2f s per step of %d images (dense term on %@ tokens): %.1f images/s; %.0f GFLOP/s = %.0f%% of this run's sgemm peak (%.0f GFLOP/s)",
                         result.secondsPerStep, batch, denseTokens.rawValue, result.imagesPerSecond, result.gflopPerSecond,
                         result.fractionOfSgemmPeak * 100, result.sgemmPeakGFLOPPerSecond))
        }
    }
}
