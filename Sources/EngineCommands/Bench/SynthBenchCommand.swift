import ArgumentParser
import Engine
import Foundation
import ReportKit

struct SynthBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Synthetic data: time to generate the benchmark, the caption stream's images/s per core, and the raw-pixel difficulty calibration.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Seed of the benchmark.")
    var seed: UInt64 = 0

    func run() throws {
        struct Output: Codable {
            var benchmarkSeconds: Double
            var streamImagesPerSecondPerCore: Double
            var streamCropsPerSecondPerCore: Double
            var calibration: [CalibrationRow]
            var meanPixelAUROC: Double
            var meanImageAUROC: Double
        }
        let benchmark = SyntheticBenchmark(seed: seed, size: 256)
        var start = Date()
        let splits = benchmark.allSplits()
        let benchmarkSeconds = Date().timeIntervalSince(start)
        // One core: the stream is what a background generator process would run.
        var stream = CaptionStream(seed: seed, size: 128)
        start = Date()
        for _ in 0..<60 { _ = stream.next() }
        let imagesPerSecond = 60 / Date().timeIntervalSince(start)
        var crops = CaptionStream(seed: seed, size: 128, cropSize: 64)
        start = Date()
        for _ in 0..<60 { _ = crops.next() }
        let cropsPerSecond = 60 / Date().timeIntervalSince(start)
        let rows = try splits.map { try SyntheticCalibration.rawPatchMemory($0, size: 256) }
        let out = Output(benchmarkSeconds: benchmarkSeconds, streamImagesPerSecondPerCore: imagesPerSecond,
                         streamCropsPerSecondPerCore: cropsPerSecond, calibration: rows,
                         meanPixelAUROC: rows.map(\.pixelAUROC).reduce(0, +) / Double(rows.count),
                         meanImageAUROC: rows.map(\.imageAUROC).reduce(0, +) / Double(rows.count))
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(out), as: UTF8.self))
            return
        }
        print(String(format: "benchmark (9 products x 75 images, 256 px, in memory): %.1f s", benchmarkSeconds))
        print(String(format: "caption stream, one core: %.1f images/s at 128 px, %.1f crops/s (64 px crops)", imagesPerSecond, cropsPerSecond))
        print("1-shot raw 8x8-pixel patch memory (difficulty calibration):")
        for r in rows { print("  " + r.product.padding(toLength: 9, withPad: " ", startingAt: 0) + String(format: "pixel AUROC %.3f  image AUROC %.3f  defect area %.1f%%", r.pixelAUROC, r.imageAUROC, r.defectAreaPercent)) }
        print(String(format: "  mean     pixel AUROC %.3f  image AUROC %.3f", out.meanPixelAUROC, out.meanImageAUROC))
    }
}
