// Grouped bars with value labels: the paper's Figure 2 (methods x datasets).
import Foundation

public struct GroupedBarChart: Drawing {
    public struct Series: Sendable {
        public var name: String
        /// One value per group; nil leaves a gap (no result for that group).
        public var values: [Double?]
        /// A whisker per group (a 95% interval), or nil.
        public var intervals: [ClosedRange<Double>?]
        /// Published values: drawn hatched and outlined, unlike the solid measured bars.
        public var published: Bool
        /// The colour's place in the palette; nil: the series' own place (a published series takes its method's colour).
        public var colorIndex: Int?
        public init(_ name: String, _ values: [Double?], intervals: [ClosedRange<Double>?]? = nil, published: Bool = false, colorIndex: Int? = nil) {
            precondition(intervals == nil || intervals!.count == values.count, "GroupedBarChart.Series: one interval per value")
            self.name = name; self.values = values; self.intervals = intervals ?? values.map { _ in nil }
            self.published = published; self.colorIndex = colorIndex
        }
    }

    public var title: String
    public var groups: [String]
    public var series: [Series]
    public var yLabel: String
    /// Axis range; nil fits the data.
    public var yRange: ClosedRange<Double>?
    public var valueFormat: String
    public var size: (width: Double, height: Double)

    public init(title: String, groups: [String], series: [Series], yLabel: String,
                yRange: ClosedRange<Double>? = nil, valueFormat: String = "%.1f",
                size: (width: Double, height: Double) = (640, 360)) {
        precondition(series.allSatisfy { $0.values.count == groups.count }, "GroupedBarChart: every series needs one value per group")
        self.title = title; self.groups = groups; self.series = series; self.yLabel = yLabel
        self.yRange = yRange; self.valueFormat = valueFormat; self.size = size
    }

    var range: ClosedRange<Double> {
        if let yRange { return yRange }
        let values = series.flatMap { $0.values.compactMap { $0 } + $0.intervals.compactMap { $0?.upperBound } }
        let top = values.max() ?? 1
        return 0...(top <= 0 ? 1 : Axis.niceCeiling(top * 1.08))
    }

    public func draw(on canvas: Canvas) {
        let (width, height) = size
        // The legend's rows: as many entries to a row as fit the width.
        var legend: [[(index: Int, name: String, width: Double)]] = [[]]
        var rowWidth = 0.0
        for (s, serie) in series.enumerated() {
            let w = canvas.measure(serie.name, size: 10).width + 30
            if rowWidth + w > width - 20, !legend[legend.count - 1].isEmpty { legend.append([]); rowWidth = 0 }
            legend[legend.count - 1].append((s, serie.name, w)); rowWidth += w
        }
        let plot = (left: 58.0, top: 40.0, right: width - 16, bottom: height - 46 - 18 * Double(legend.count))
        canvas.text(title, at: width / 2, 10, size: 14, bold: true, align: .center)
        let range = self.range
        let axis = Axis(range: range, pixels: (plot.bottom, plot.top))
        for tick in axis.ticks() {
            let y = axis.position(tick)
            canvas.line(from: (plot.left, y), to: (plot.right, y), .grid)
            canvas.text(Axis.label(tick), at: plot.left - 6, y, size: 10, align: .right, baseline: .middle)
        }
        canvas.text(yLabel, at: 16, (plot.top + plot.bottom) / 2, size: 11, align: .center, baseline: .middle, rotation: 90)

        let groupWidth = (plot.right - plot.left) / Double(max(groups.count, 1))
        let barWidth = groupWidth * 0.8 / Double(max(series.count, 1))
        for (g, group) in groups.enumerated() {
            let x0 = plot.left + Double(g) * groupWidth + groupWidth * 0.1
            for (s, serie) in series.enumerated() {
                guard let value = serie.values[g] else { continue }
                let clamped = min(max(value, range.lowerBound), range.upperBound)
                let x = x0 + Double(s) * barWidth
                let y = axis.position(clamped)
                let color = Color.series[(serie.colorIndex ?? s) % Color.series.count]
                if serie.published {
                    canvas.fill(rect: x + 1, y, barWidth - 2, plot.bottom - y, .white)
                    hatch(canvas, x + 1, y, barWidth - 2, plot.bottom - y, color)
                    canvas.stroke(rect: x + 1, y, barWidth - 2, plot.bottom - y, color, width: 1.5)
                } else {
                    canvas.fill(rect: x + 1, y, barWidth - 2, plot.bottom - y, color)
                }
                var labelY = y
                if let interval = serie.intervals[g] {
                    let top = axis.position(min(max(interval.upperBound, range.lowerBound), range.upperBound))
                    let bottom = axis.position(min(max(interval.lowerBound, range.lowerBound), range.upperBound))
                    let mid = x + barWidth / 2
                    canvas.line(from: (mid, top), to: (mid, bottom), .black, width: 1.2)
                    canvas.line(from: (mid - barWidth * 0.2, top), to: (mid + barWidth * 0.2, top), .black, width: 1.2)
                    canvas.line(from: (mid - barWidth * 0.2, bottom), to: (mid + barWidth * 0.2, bottom), .black, width: 1.2)
                    labelY = min(y, top)
                }
                canvas.text(String(format: valueFormat, value), at: x + barWidth / 2, labelY - 2, size: 8.5,
                            align: .center, baseline: .bottom)
            }
            canvas.text(group, at: plot.left + (Double(g) + 0.5) * groupWidth, plot.bottom + 6, size: 11, align: .center)
        }
        canvas.line(from: (plot.left, plot.bottom), to: (plot.right, plot.bottom), .axis)
        canvas.line(from: (plot.left, plot.top), to: (plot.left, plot.bottom), .axis)

        // Legend: rows under the axis labels, each centred.
        for (r, row) in legend.enumerated() {
            // Each entry's width holds a 30 px gap after it; the row's last gap is not part of it.
            var x = (width - (row.reduce(0) { $0 + $1.width } - 30)) / 2
            let y = height - 18 * Double(legend.count - r) - 4
            for (s, name, w) in row {
                let color = Color.series[(series[s].colorIndex ?? s) % Color.series.count]
                if series[s].published {
                    hatch(canvas, x, y - 5, 12, 10, color)
                    canvas.stroke(rect: x, y - 5, 12, 10, color, width: 1.5)
                } else {
                    canvas.fill(rect: x, y - 5, 12, 10, color)
                }
                canvas.text(name, at: x + 16, y, size: 10, baseline: .middle)
                x += w
            }
        }
    }

    /// Diagonal lines across a rectangle, clipped to it: the published bars' fill.
    func hatch(_ canvas: Canvas, _ x: Double, _ y: Double, _ w: Double, _ h: Double, _ color: Color) {
        guard w > 0, h > 0 else { return }
        var offset = 0.0
        while offset < w + h {
            // The line x + offset - t, y + t for t in the rectangle.
            let t0 = max(0, offset - w), t1 = min(h, offset)
            if t1 > t0 { canvas.line(from: (x + offset - t0, y + t0), to: (x + offset - t1, y + t1), color, width: 1) }
            offset += 5
        }
    }
}
