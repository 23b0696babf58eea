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

    /// Draws per class for a true difference of `gap` to be resolved (its 95% t interval clear of zero) with 80% power,
    /// averaged over `classes` classes taken as fixed: the least n with (t_{0.975, classes (n-1)} + z_{0.8}) s / sqrt(classes n) <= gap,
    /// s the draw-to-draw deviation measured here. Draw noise only: what differs between classes is not reduced by more draws.
    public func drawsToResolve(gap: Double, classes: Int) -> Int {
        guard drawDeviation.isFinite, drawDeviation > 0, gap > 0, classes > 0 else { return 2 }
        var n = 2
        while (DrawInterval.t975(degrees: classes * (n - 1)) + 0.8416) * drawDeviation / (Double(classes * n)).squareRoot() > gap && n < 1_000_000 { n += 1 }
        return n
    }
}
