// Is a difference between two methods real? Their results paired by class and draw (the same shot,
// the same test images), the mean difference with a bootstrap interval that resamples classes and,
// within each, draws; and how many draws a gap of a given size would take to resolve.
import Foundation

public struct PairedDifference: Sendable {
    /// differences[c][d]: method A minus method B on class c, draw d.
    public let differences: [[Double]]
    public let mean: Double
    public let low: Double
    public let high: Double
    /// The pooled within-class standard deviation of the differences over draws (the noise a draw adds).
    public let drawDeviation: Double

    public init(_ differences: [[Double]], resamples: Int = 2000, seed: UInt64 = 1) {
        precondition(!differences.isEmpty && differences.allSatisfy { !$0.isEmpty }, "PairedDifference: every class needs a draw")
        self.differences = differences
        let all = differences.flatMap { $0 }
        mean = all.reduce(0, +) / Double(all.count)
        var random = SplitMix64(seed: seed)
        var means: [Double] = []
        for _ in 0..<resamples {
            var total = 0.0, count = 0
            for _ in differences.indices {
                let row = differences[Int(random.next() % UInt64(differences.count))]
                for _ in row.indices { total += row[Int(random.next() % UInt64(row.count))]; count += 1 }
            }
            means.append(total / Double(count))
        }
        means.sort()
        low = means[Int(0.025 * Double(resamples - 1))]; high = means[Int(0.975 * Double(resamples - 1))]
        var squares = 0.0, degrees = 0
        for row in differences where row.count > 1 {
            let m = row.reduce(0, +) / Double(row.count)
            squares += row.reduce(0) { $0 + ($1 - m) * ($1 - m) }; degrees += row.count - 1
        }
        drawDeviation = degrees > 0 ? (squares / Double(degrees)).squareRoot() : .nan
    }

    /// Draws per class for a 95% interval of the mean difference over `classes` classes to be narrower, on each
    /// side, than `gap`: n >= (1.96 s / gap)^2 / classes, s the draw-to-draw deviation measured here.
    public func drawsToResolve(gap: Double, classes: Int) -> Int {
        guard drawDeviation.isFinite, gap > 0, classes > 0 else { return 0 }
        return max(2, Int(((1.96 * drawDeviation / gap) * (1.96 * drawDeviation / gap) / Double(classes)).rounded(.up)))
    }
}
