import ArgumentParser
import Engine
import Figures
import Foundation
import ReportKit

struct DataSheetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sheet",
        abstract: "Draw a contact sheet of the synthetic benchmark: every product, normal and with each defect kind (masks outlined).")

    @Option(help: "The PNG (or SVG, PDF) to write.")
    var out: String

    @OptionGroup var synthetic: SyntheticOptions

    func run() throws {
        let benchmark = synthetic.benchmark
        let rows = SyntheticProduct.allCases.map { product -> ImageGrid.Row in
            var panels = [HeatmapPanel(title: "normal", image: benchmark.sample(product, split: 1, index: 0, defect: nil).image.pixels,
                                       width: synthetic.size, height: synthetic.size)]
            for kind in DefectKind.allCases {
                let s = benchmark.sample(product, split: 2 + UInt64(DefectKind.allCases.firstIndex(of: kind)!), index: 0, defect: kind)
                panels.append(HeatmapPanel(title: kind.rawValue, image: s.image.pixels, width: synthetic.size, height: synthetic.size, mask: s.mask))
            }
            return ImageGrid.Row(title: product.rawValue, panels: panels)
        }
        try FigureWriter.write(ImageGrid(title: "Synthetic benchmark, seed \(synthetic.seed): defect masks outlined in cyan", rows: rows), to: out, scale: 1.5)
        printError("wrote \(out)")
    }
}
