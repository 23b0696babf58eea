import ArgumentParser
import Engine
import Foundation
import ReportKit

struct CLIPBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clip",
        abstract: "Images/s (batch 1 and 8), text prompts/s and peak memory of a CLIP model; compare with scripts/bench/pytorch_clip.py.")

    @OptionGroup var options: BenchOptions

    @OptionGroup var model: BenchModelOptions

    func run() throws {
        guard let result = try model.run("report bench clip", options, { weights, config, repeats in
            try CLIPBenchmark.run(weightsPath: weights, configPath: config, repeats: repeats) { printError("timing \($0)...") }
        }) else { return }
        print(String(format: "images/s, batch 1:   %.2f", result.batch1ImagesPerSecond))
        print(String(format: "images/s, batch 8:   %.2f", result.batch8ImagesPerSecond))
        print(String(format: "text prompts/s:      %.1f", result.textPromptsPerSecond))
        print(String(format: "prompt-learning step: %.3f s (32 prompts, 4 context vectors, forward and backward)", result.promptStepSeconds))
        print(String(format: "peak memory:         %.0f MB", Double(result.peakRSSBytes) / 1e6))
        print(String(format: "vision work:         %.1f GFLOP/image, %.1f GFLOP/s at batch 8 = %.0f%% of sgemm's %.1f GFLOP/s",
                     result.visionGFLOPPerImage, result.batch8GFLOPPerSecond, result.fractionOfSgemmPeak * 100, result.sgemmPeakGFLOPPerSecond))
        print(String(format: "load:                %.2f s", result.loadSeconds))
    }
}
