// Lines with markers: sensitivity sweeps (lambda, K, a) and ROC curves.
import Foundation

public struct LinePlot: Drawing {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        public var markers: Bool
        /// An interval per point (e.g. 95% over draws of shots), drawn as a band with whiskers.
        public var intervals: [(low: Double, high: Double)]?
        public init(_ name: String, _ points: [(x: Double, y: Double)], markers: Bool = true, intervals: [(low: Double, high: Double)]? = nil) {
            self.name = name; self.points = points; self.markers = markers; self.intervals = intervals
        }
    }

    public var title: String
    public var series: [Series]
    public var xLabel: String
    public var yLabel: String
    public var xRange: ClosedRange<Double>?
    public var yRange: ClosedRange<Double>?
    /// Tick labels at given x positions instead of numbers (e.g. "10%", "20%"); nil: numeric ticks.
    public var xTicks: [(value: Double, label: String)]?
    /// Draw the y = x diagonal (chance level of a ROC curve).
    public var diagonal: Bool
    public var size: (width: Double, height: Double)

    public init(title: String, series: [Series], xLabel: String, yLabel: String,
                xRange: ClosedRange<Double>? = nil, yRange: ClosedRange<Double>? = nil,
                xTicks: [(value: Double, label: String)]? = nil, diagonal: Bool = false,
                size: (width: Double, height: Double) = (480, 340)) {
        self.title = title; self.series = series; self.xLabel = xLabel; self.yLabel = yLabel
        self.xRange = xRange; self.yRange = yRange; self.xTicks = xTicks; self.diagonal = diagonal; self.size = size
    }

    /// ROC curves, one per (name, false-positive rates, true-positive rates), with the chance diagonal.
    public static func roc(title: String, curves: [(name: String, fpr: [Double], tpr: [Double])],
                           size: (width: Double, height: Double) = (400, 380)) -> LinePlot {
        LinePlot(title: title,
                 series: curves.map { Series($0.name, Array(zip($0.fpr, $0.tpr)).map { (x: $0.0, y: $0.1) }, markers: false) },
                 xLabel: "false positive rate", yLabel: "true positive rate",
                 xRange: 0...1, yRange: 0...1, diagonal: true, size: size)
    }

    static func fit(_ values: [Double]) -> ClosedRange<Double> {
        guard let lo = values.min(), let hi = values.max() else { return 0...1 }
        if lo == hi { return (lo - 1)...(hi + 1) }
        let pad = (hi - lo) * 0.08
        return (lo - pad)...(hi + pad)
    }

    public func draw(on canvas: Canvas) {
        let (width, height) = size
        let legendHeight = series.count > 1 ? 20.0 : 0
        let plot = (left: 60.0, top: 36.0, right: width - 16, bottom: height - 46 - legendHeight)
        canvas.text(title, at: width / 2, 10, size: 13, bold: true, align: .center)
        let xs = series.flatMap { $0.points.map(\.x) } + (xTicks?.map(\.value) ?? [])
        let ys = series.flatMap { $0.points.map(\.y) + ($0.intervals ?? []).flatMap { [$0.low, $0.high] } }
        let xAxis = Axis(range: xRange ?? Self.fit(xs), pixels: (plot.left, plot.right))
        let yAxis = Axis(range: yRange ?? Self.fit(ys), pixels: (plot.bottom, plot.top))
        for tick in yAxis.ticks() {
            let y = yAxis.position(tick)
            canvas.line(from: (plot.left, y), to: (plot.right, y), .grid)
            canvas.text(Axis.label(tick), at: plot.left - 6, y, size: 10, align: .right, baseline: .middle)
        }
        let xTickList = xTicks ?? xAxis.ticks().map { ($0, Axis.label($0)) }
        for (value, label) in xTickList {
            let x = xAxis.position(value)
            canvas.line(from: (x, plot.bottom), to: (x, plot.bottom + 4), .axis)
            canvas.text(label, at: x, plot.bottom + 6, size: 10, align: .center)
        }
        canvas.line(from: (plot.left, plot.bottom), to: (plot.right, plot.bottom), .axis)
        canvas.line(from: (plot.left, plot.top), to: (plot.left, plot.bottom), .axis)
        canvas.text(xLabel, at: (plot.left + plot.right) / 2, plot.bottom + 22, size: 11, align: .center)
        canvas.text(yLabel, at: 14, (plot.top + plot.bottom) / 2, size: 11, align: .center, baseline: .middle, rotation: 90)
        if diagonal {
            canvas.line(from: (xAxis.position(0), yAxis.position(0)), to: (xAxis.position(1), yAxis.position(1)),
                        .axis.with(alpha: 0.6), width: 1, dash: [4, 3])
        }
        for (s, serie) in series.enumerated() {
            let color = Color.series[s % Color.series.count]
            let points = serie.points.map { (xAxis.position($0.x), yAxis.position($0.y)) }
            if let intervals = serie.intervals, intervals.count == serie.points.count {
                let xs = serie.points.map { xAxis.position($0.x) }
                canvas.fill(polygon: zip(xs, intervals).map { ($0, yAxis.position($1.high)) } + zip(xs, intervals).reversed().map { ($0, yAxis.position($1.low)) },
                            color.with(alpha: 0.18))
                for (x, interval) in zip(xs, intervals) {
                    let (top, bottom) = (yAxis.position(interval.high), yAxis.position(interval.low))
                    canvas.line(from: (x, top), to: (x, bottom), color, width: 1)
                    canvas.line(from: (x - 4, top), to: (x + 4, top), color, width: 1)
                    canvas.line(from: (x - 4, bottom), to: (x + 4, bottom), color, width: 1)
                }
            }
            canvas.polyline(points, color, width: 2)
            if serie.markers { points.forEach { canvas.circle(center: $0, radius: 3.5, fill: color) } }
        }
        if series.count > 1 {
            let entries = series.enumerated().map { ($0.offset, $0.element.name, canvas.measure($0.element.name, size: 10).width) }
            var x = (width - entries.reduce(0) { $0 + $1.2 + 30 }) / 2
            let y = height - 14
            for (s, name, w) in entries {
                canvas.line(from: (x, y), to: (x + 14, y), Color.series[s % Color.series.count], width: 2)
                canvas.text(name, at: x + 18, y, size: 10, baseline: .middle)
                x += w + 30
            }
        }
    }
}
