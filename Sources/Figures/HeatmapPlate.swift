// Figure 1's kind of plate: an image, then anomaly maps laid over it, the ground truth drawn as a
// contour, and one colour bar for every map.
import Foundation

public struct HeatmapPanel: Sendable {
    public var title: String
    /// The picture under the map: (height, width, 3) RGB in [0, 1].
    public var image: [Float]
    public var width: Int
    public var height: Int
    /// Anomaly scores (height, width); nil shows the image alone.
    public var heatmap: [Float]?
    /// Ground truth (height, width), non-zero = defect; drawn as a contour.
    public var mask: [Float]?

    /// This panel's own colour range and the label of the scale drawn under it (nil: the plate's range and bar).
    public var range: ClosedRange<Float>?
    public var scaleLabel: String

    public init(title: String, image: [Float], width: Int, height: Int, heatmap: [Float]? = nil, mask: [Float]? = nil,
                range: ClosedRange<Float>? = nil, scaleLabel: String = "") {
        self.range = range; self.scaleLabel = scaleLabel
        precondition(image.count == width * height * 3, "HeatmapPanel \(title): image needs \(width * height * 3) values")
        precondition(heatmap.map { $0.count == width * height } ?? true, "HeatmapPanel \(title): heatmap needs \(width * height) values")
        precondition(mask.map { $0.count == width * height } ?? true, "HeatmapPanel \(title): mask needs \(width * height) values")
        self.title = title; self.image = image; self.width = width; self.height = height
        self.heatmap = heatmap; self.mask = mask
    }
}

public struct HeatmapPlate: Drawing {
    public var panels: [HeatmapPanel]
    /// Score range the colours span; nil: the range of all the panels' maps.
    public var range: ClosedRange<Float>?
    public var colormap: Colormap
    /// Opacity of the map over the image.
    public var opacity: Float
    public var panelSize: Double
    public var colorbarLabel: String
    /// Panels per row (a class's input and maps, say); nil: all in one row.
    public var columns: Int?

    public init(panels: [HeatmapPanel], range: ClosedRange<Float>? = nil, colormap: Colormap = .jet,
                opacity: Float = 0.5, panelSize: Double = 180, colorbarLabel: String = "anomaly score", columns: Int? = nil) {
        self.panels = panels; self.range = range; self.colormap = colormap
        self.opacity = opacity; self.panelSize = panelSize; self.colorbarLabel = colorbarLabel; self.columns = columns
    }

    var perRow: Int { max(1, min(columns ?? panels.count, max(panels.count, 1))) }
    var rows: Int { (panels.count + perRow - 1) / perRow }
    /// Panels with their own range draw a scale under them, which the row makes room for.
    var ownScales: Bool { panels.contains { $0.heatmap != nil && $0.range != nil } }
    /// Whether the plate's bar is needed: some map has no range of its own.
    var plateScale: Bool { panels.contains { $0.heatmap != nil && $0.range == nil } }
    var rowHeight: Double { panelSize + Self.titleHeight + Self.gap + (ownScales ? Self.scaleHeight : 0) }

    static let gap = 10.0, titleHeight = 22.0, colorbarWidth = 70.0, scaleHeight = 34.0

    public var size: (width: Double, height: Double) {
        (Double(perRow) * (panelSize + Self.gap) + Self.gap + (plateScale ? Self.colorbarWidth : 0), Double(max(rows, 1)) * rowHeight + Self.gap)
    }

    var effectiveRange: ClosedRange<Float> {
        if let range { return range }
        let values = panels.filter { $0.range == nil }.compactMap(\.heatmap).flatMap { $0 }
        let lo = values.min() ?? 0, hi = values.max() ?? 1
        return lo < hi ? lo...hi : lo...(lo + 1)
    }

    public func draw(on canvas: Canvas) {
        let plateRange = effectiveRange
        for (p, panel) in panels.enumerated() {
            let range = panel.range ?? plateRange
            let span = max(range.upperBound - range.lowerBound, 1e-12)
            let x = Self.gap + Double(p % perRow) * (panelSize + Self.gap), y = Self.gap + Self.titleHeight + Double(p / perRow) * rowHeight
            canvas.text(panel.title, at: x + panelSize / 2, y - Self.titleHeight, size: 12, align: .center)
            var rgb = panel.image
            if let heat = panel.heatmap {
                for i in 0..<(panel.width * panel.height) {
                    let c = colormap.color(Double((heat[i] - range.lowerBound) / span))
                    rgb[i * 3] = rgb[i * 3] * (1 - opacity) + Float(c.red) * opacity
                    rgb[i * 3 + 1] = rgb[i * 3 + 1] * (1 - opacity) + Float(c.green) * opacity
                    rgb[i * 3 + 2] = rgb[i * 3 + 2] * (1 - opacity) + Float(c.blue) * opacity
                }
            }
            canvas.raster(rgb, width: panel.width, height: panel.height, into: x, y, panelSize, panelSize, smooth: true)
            if let mask = panel.mask {
                drawContour(mask, width: panel.width, height: panel.height, on: canvas, x: x, y: y, side: panelSize, color: .white)
            }
            canvas.stroke(rect: x, y, panelSize, panelSize, .axis, width: 0.5)
            if panel.heatmap != nil, let own = panel.range { drawScale(on: canvas, range: own, label: panel.scaleLabel, x: x, y: y + panelSize + 4) }
        }
        if plateScale { drawColorbar(on: canvas, range: plateRange) }
    }

    /// A horizontal colour scale under a panel with its own range, ticked, with its label.
    func drawScale(on canvas: Canvas, range: ClosedRange<Float>, label: String, x: Double, y: Double) {
        let steps = 64
        var rgb: [Float] = []
        for s in 0..<steps { let c = colormap.color(Double(s) / Double(steps - 1)); rgb += [Float(c.red), Float(c.green), Float(c.blue)] }
        canvas.raster(rgb, width: steps, height: 1, into: x, y, panelSize, 8, smooth: true)
        canvas.stroke(rect: x, y, panelSize, 8, .axis, width: 0.5)
        let axis = Axis(range: Double(range.lowerBound)...Double(range.upperBound), pixels: (x, x + panelSize))
        for tick in axis.ticks(target: 4) {
            let tx = axis.position(tick)
            canvas.line(from: (tx, y + 8), to: (tx, y + 11), .axis)
            canvas.text(Axis.label(tick), at: tx, y + 12, size: 8.5, align: .center)
        }
        if !label.isEmpty { canvas.text(label, at: x + panelSize / 2, y + 22, size: 8.5, align: .center) }
    }

    /// The mask's boundary: every pixel edge between a defect pixel and a normal one.
    func drawContour(_ mask: [Float], width: Int, height: Int, on canvas: Canvas, x: Double, y: Double, side: Double, color: Color) {
        let sx = side / Double(width), sy = side / Double(height)
        func inside(_ c: Int, _ r: Int) -> Bool { c >= 0 && r >= 0 && c < width && r < height && mask[r * width + c] != 0 }
        for r in 0..<height {
            for c in 0..<width where inside(c, r) {
                let left = x + Double(c) * sx, top = y + Double(r) * sy
                if !inside(c - 1, r) { canvas.line(from: (left, top), to: (left, top + sy), color, width: 1.5) }
                if !inside(c + 1, r) { canvas.line(from: (left + sx, top), to: (left + sx, top + sy), color, width: 1.5) }
                if !inside(c, r - 1) { canvas.line(from: (left, top), to: (left + sx, top), color, width: 1.5) }
                if !inside(c, r + 1) { canvas.line(from: (left, top + sy), to: (left + sx, top + sy), color, width: 1.5) }
            }
        }
    }

    func drawColorbar(on canvas: Canvas, range: ClosedRange<Float>) {
        let x = Double(perRow) * (panelSize + Self.gap) + Self.gap, top = Self.gap + Self.titleHeight
        let steps = 64
        var rgb: [Float] = []
        for s in 0..<steps {
            let c = colormap.color(1 - Double(s) / Double(steps - 1))
            rgb += [Float(c.red), Float(c.green), Float(c.blue)]
        }
        canvas.raster(rgb, width: 1, height: steps, into: x, top, 12, panelSize, smooth: true)
        canvas.stroke(rect: x, top, 12, panelSize, .axis, width: 0.5)
        let axis = Axis(range: Double(range.lowerBound)...Double(range.upperBound), pixels: (top + panelSize, top))
        for tick in axis.ticks(target: 4) {
            let ty = axis.position(tick)
            canvas.line(from: (x + 12, ty), to: (x + 15, ty), .axis)
            canvas.text(Axis.label(tick), at: x + 17, ty, size: 9, baseline: .middle)
        }
        canvas.text(colorbarLabel, at: x + Self.colorbarWidth - 6, top + panelSize / 2, size: 9,
                    align: .center, baseline: .middle, rotation: 90)
    }
}
