import CCairo
@testable import Figures
import Foundation
import Testing

@Suite struct ChartTests {
    @Test func pangoMeasuresLongerTextAsWider() throws {
        let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 10, 10)!
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }
        let canvas = Canvas(context: cr)
        let short = canvas.measure("AUROC", size: 12), long = canvas.measure("pixel AUROC (%)", size: 12)
        #expect(short.width > 20 && long.width > short.width * 2)
        #expect(short.height > 10 && short.height < 20)
        #expect(canvas.measure("AUROC", size: 24).width > short.width * 1.8)
    }

    @Test func axisTicksAreRoundNumbersInsideTheRange() {
        #expect(Axis(range: 90...100, pixels: (0, 100)).ticks() == [90, 92, 94, 96, 98, 100])
        #expect(Axis(range: 0...1, pixels: (0, 100)).ticks() == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1])
        #expect(Axis.niceCeiling(0.93) == 1)
        #expect(Axis(range: 0...10, pixels: (200, 0)).position(5) == 100)
    }

    @Test func groupedBarChartDrawsEveryBarInItsSeriesColour() throws {
        let chart = GroupedBarChart(title: "t", groups: ["A", "B"],
                                    series: [.init("one", [95, 97]), .init("two", [96, nil])],
                                    yLabel: "AUROC", yRange: 90...100, size: (400, 300))
        let path = NSTemporaryDirectory() + "bars-\(UUID().uuidString).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FigureWriter.write(chart, to: path, scale: 1)
        let surface = try #require(cairo_image_surface_create_from_png(path))
        defer { cairo_surface_destroy(surface) }
        let stride = Int(cairo_image_surface_get_stride(surface))
        let data = cairo_image_surface_get_data(surface)!
        var colours: [UInt32: Int] = [:]
        for y in 0..<300 { for x in 0..<400 {
            let p = (data + y * stride + x * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee } & 0xFFFFFF
            colours[p, default: 0] += 1
        } }
        let blue = colours[0x0072B2] ?? 0, orange = colours[0xE69F00] ?? 0
        // Series one has two bars, series two one bar (B is missing): about twice the blue area.
        #expect(blue > 1000 && orange > 500)
        #expect(Double(blue) / Double(orange) > 1.4)
    }
}

@Suite struct CurveTests {
    @Test func rocCurveDrawsItsCurveAboveTheChanceDiagonal() throws {
        let plot = LinePlot.roc(title: "ROC", curves: [("DevPrompt", [0, 0.1, 0.3, 1], [0, 0.7, 0.9, 1])], size: (200, 200))
        #expect(plot.diagonal && plot.xRange == 0...1 && plot.yRange == 0...1)
        let path = NSTemporaryDirectory() + "roc-\(UUID().uuidString).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try FigureWriter.write(plot, to: path, scale: 1)
        let surface = try #require(cairo_image_surface_create_from_png(path))
        defer { cairo_surface_destroy(surface) }
        let stride = Int(cairo_image_surface_get_stride(surface)), data = cairo_image_surface_get_data(surface)!
        var blueAboveDiagonal = 0, blueBelow = 0
        for y in 0..<200 { for x in 0..<200 {
            let p = (data + y * stride + x * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee } & 0xFFFFFF
            guard p == 0x0072B2 else { continue }
            // Plot area: x 60...184, y 36...154 (bottom = 0); above the diagonal means higher TPR than FPR.
            let fpr = Double(x - 60) / 124, tpr = Double(154 - y) / 118
            if tpr > fpr + 0.05 { blueAboveDiagonal += 1 } else if tpr < fpr - 0.05 { blueBelow += 1 }
        } }
        #expect(blueAboveDiagonal > 50 && blueBelow == 0, "curve pixels above the diagonal: \(blueAboveDiagonal), below: \(blueBelow)")
    }

    /// A plate laid out in rows: its size follows the rows, and every panel lands inside it.
    @Test func heatmapPlateRowsFollowItsColumns() {
        let panel = HeatmapPanel(title: "x", image: [Float](repeating: 0.5, count: 4 * 4 * 3), width: 4, height: 4, heatmap: [Float](repeating: 0.2, count: 16))
        let row = HeatmapPlate(panels: Array(repeating: panel, count: 6), panelSize: 100)
        let grid = HeatmapPlate(panels: Array(repeating: panel, count: 6), panelSize: 100, columns: 3)
        #expect(grid.size.width < row.size.width / 1.8 && abs(grid.size.height - 2 * row.size.height + HeatmapPlate.gap) < 1e-9)
        #expect(HeatmapPlate(panels: Array(repeating: panel, count: 7), panelSize: 100, columns: 3).rows == 3)
    }
}
