// Rows of labelled image panels (a contact sheet): each panel an RGB raster, optionally with a
// mask drawn as a contour.
import Foundation

public struct ImageGrid: Drawing {
    public struct Row: Sendable {
        public var title: String
        public var panels: [HeatmapPanel]
        public init(title: String, panels: [HeatmapPanel]) { self.title = title; self.panels = panels }
    }

    public var title: String
    public var rows: [Row]
    public var panelSize: Double
    static let labelWidth = 70.0, gap = 6.0, header = 34.0, caption = 14.0

    public init(title: String, rows: [Row], panelSize: Double = 96) {
        self.title = title; self.rows = rows; self.panelSize = panelSize
    }

    public var size: (width: Double, height: Double) {
        let columns = rows.map(\.panels.count).max() ?? 0
        return (Self.labelWidth + Double(columns) * (panelSize + Self.gap) + Self.gap,
                Self.header + Double(rows.count) * (panelSize + Self.caption + Self.gap) + Self.gap)
    }

    public func draw(on canvas: Canvas) {
        canvas.text(title, at: size.width / 2, 8, size: 14, bold: true, align: .center)
        let plate = HeatmapPlate(panels: [], panelSize: panelSize)
        for (r, row) in rows.enumerated() {
            let y = Self.header + Double(r) * (panelSize + Self.caption + Self.gap)
            canvas.text(row.title, at: Self.labelWidth - 8, y + Self.caption + panelSize / 2, size: 11, bold: true, align: .right, baseline: .middle)
            for (c, panel) in row.panels.enumerated() {
                let x = Self.labelWidth + Double(c) * (panelSize + Self.gap)
                canvas.text(panel.title, at: x + panelSize / 2, y, size: 9.5, align: .center)
                canvas.raster(panel.image, width: panel.width, height: panel.height, into: x, y + Self.caption, panelSize, panelSize, smooth: true)
                if let mask = panel.mask {
                    plate.drawContour(mask, width: panel.width, height: panel.height, on: canvas, x: x, y: y + Self.caption,
                                      side: panelSize, color: Color(hex: 0x00E5FF))
                }
            }
        }
    }
}
