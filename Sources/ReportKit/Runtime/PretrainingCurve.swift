import Engine
import Figures

/// The pretraining loss per step, each point the mean of the last 20 steps: written beside the
/// weights by `report pretrain` and shown by the model chapter.
public struct PretrainingCurve {
    public let log: PretrainingLog

    public init(log: PretrainingLog) { self.log = log }

    func smoothed(_ value: (PretrainingLogEntry) -> Float) -> [(x: Double, y: Double)] {
        let values = log.entries.map(value)
        return values.indices.map { i in
            let window = values[max(0, i - 19)...i]
            return (Double(i), Double(window.reduce(0, +)) / Double(window.count))
        }
    }

    public var plot: LinePlot {
        LinePlot(title: "Pretraining loss (mean of the last 20 steps)",
                 series: [.init("total", smoothed(\.loss), markers: false), .init("contrastive", smoothed(\.contrastive), markers: false),
                          .init("dense", smoothed(\.dense), markers: false)],
                 xLabel: "step", yLabel: "loss")
    }

    public func write(to path: String) throws { try FigureWriter.write(plot, to: path) }
}
