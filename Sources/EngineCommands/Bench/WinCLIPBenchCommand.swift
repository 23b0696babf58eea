import ArgumentParser
import Engine
import Foundation
import ReportKit

struct WinCLIPBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "winclip",
        abstract: "Images/s of WinCLIP's window features, WinCLIP and WinCLIP+ (batch 1 and 8); compare with scripts/bench/compare_winclip.sh.")

    @OptionGroup var options: BenchOptions

    @Option(help: "OpenCLIP weights (.safetensors), e.g. a random ViT-B-16-plus-240 from scripts/bench/pytorch_clip.py --save.")
    var weights: String

    @Option(name: .customLong("model-config"), help: "JSON for what the shapes cannot tell; default: beside the weights.")
    var config: String?

    func run() throws {
        if let threads = options.threads { BLAS.threads = threads; Parallel.cores = threads }
        let result = try reportingErrors("report bench winclip") {
            try WinCLIPBenchmark.run(weightsPath: weights, configPath: config, repeats: options.repeats) { printError("timing \($0)...") }
        }
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
            return
        }
        for (mode, name) in [("encode", "window features"), ("zeroShot", "WinCLIP"), ("fewShot", "WinCLIP+ (1 shot)")] {
            print(String(format: "%-18@ images/s, batch 1: %.2f, batch 8: %.2f", name as NSString,
                         result.imagesPerSecond[mode]!["1"]!, result.imagesPerSecond[mode]!["8"]!))
        }
        print(String(format: "work:              %.1f GFLOP/image (%.1f whole image, %.1f for %d windows)",
                     result.gflopPerImage["whole"]! + result.gflopPerImage["windows"]!, result.gflopPerImage["whole"]!,
                     result.gflopPerImage["windows"]!, result.windows))
        print(String(format: "window features:   %.1f GFLOP/s at batch 8 = %.0f%% of sgemm's %.1f GFLOP/s",
                     result.encodeGFLOPPerSecond, result.fractionOfSgemmPeak * 100, result.sgemmPeakGFLOPPerSecond))
    }
}
