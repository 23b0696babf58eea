import ArgumentParser
import Engine
import Foundation
import ReportKit

struct DataSynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write the synthetic benchmark in MVTec AD's layout (9 products, 7 defect kinds, exact masks).")

    @Option(help: "A new (or empty) folder to write into.")
    var out: String

    @OptionGroup var synthetic: SyntheticOptions

    @Flag(help: "Also score a 1-shot raw-pixel patch memory on it (the difficulty calibration) and print it.")
    var calibrate = false

    func run() throws {
        let benchmark = synthetic.benchmark
        let start = Date()
        try reportingErrors("report data synth") { try benchmark.write(to: out) }
        printError(String(format: "wrote %@ (%d products) in %.1f s", out, SyntheticProduct.allCases.count, Date().timeIntervalSince(start)))
        guard calibrate else { return }
        var rows: [CalibrationRow] = []
        for split in benchmark.allSplits() {
            rows.append(try SyntheticCalibration.rawPatchMemory(split, size: synthetic.size))
        }
        for r in rows {
            print(r.product.padding(toLength: 9, withPad: " ", startingAt: 0) + String(format: "pixel AUROC %.3f  image AUROC %.3f  defect area %.1f%%  ", r.pixelAUROC, r.imageAUROC, r.defectAreaPercent)
                  + r.pixelAUROCByDefect.sorted { $0.key < $1.key }.map { String(format: "%@ %.2f", $0.key, $0.value) }.joined(separator: " "))
        }
        print(String(format: "mean     pixel AUROC %.3f  image AUROC %.3f", rows.map(\.pixelAUROC).reduce(0, +) / Double(rows.count),
                     rows.map(\.imageAUROC).reduce(0, +) / Double(rows.count)))
    }
}
