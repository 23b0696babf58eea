import ArgumentParser
import Engine
import Foundation
import ReportKit

struct MetricsBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Pixel AUROC over VisA's test set size at 256x256 (about 150 million pixels): time and peak memory.")

    @OptionGroup var options: BenchOptions

    @Option(help: "Test maps of 256x256 (2,290 of them make about 150 million pixels).")
    var images = 2290

    func run() throws {
        if let threads = options.threads { BLAS.threads = threads }
        let r = try MetricsBenchmark.pixelAUROC(images: images)
        if options.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(r), as: UTF8.self))
            return
        }
        print(String(format: "pixel AUROC over %d pixels: %.2f s (adding %.2f s, sorting and counting %.2f s), peak memory %.0f MB, AUROC %.4f",
                     r.pixels, r.totalSeconds, r.addSeconds, r.computeSeconds, Double(r.peakRSSBytes) / 1e6, r.auroc))
    }
}
