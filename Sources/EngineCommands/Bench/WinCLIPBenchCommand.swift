import ArgumentParser
import Engine
import Foundation
import ReportKit

struct WinCLIPBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "winclip",
        abstract: "Images/s of WinCLIP's window features, WinCLIP and WinCLIP+ (batch 1 and 8); compare with scripts/bench/compare_winclip.sh.")

    @OptionGroup var options: BenchOptions

    @OptionGroup var model: BenchModelOptions

    func run() throws {
        guard let result = try model.run("report bench winclip", options, { weights, config, repeats in
            try WinCLIPBenchmark.run(weightsPath: weights, configPath: config, repeats: repeats) { printError("timing \($0)...") }
        }) else { return }
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
