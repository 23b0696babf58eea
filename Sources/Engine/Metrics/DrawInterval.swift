// The mean of one quantity over several draws of shots and its 95% interval (Student's t with
// n - 1 degrees of freedom): 1-shot results move with the shot, so a comparison carries one.
import Foundation

public struct DrawInterval: Sendable, Equatable {
    public let mean: Double
    public let low: Double
    public let high: Double
    public let draws: Int

    /// `values`: one per draw (each may itself be a mean over classes).
    public init(_ values: [Double]) {
        let n = values.count
        let m = n == 0 ? .nan : values.reduce(0, +) / Double(n)
        mean = m
        draws = n
        guard n > 1 else { low = m; high = m; return }
        let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(n - 1)
        let half = Self.t975(degrees: n - 1) * (variance / Double(n)).squareRoot()
        low = m - half; high = m + half
    }

    /// The 97.5% quantile of Student's t (two-sided 95%), tabulated to 30 degrees of freedom, 1.96 beyond.
    static func t975(degrees: Int) -> Double {
        let table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
                     2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        return degrees >= 1 && degrees <= table.count ? table[degrees - 1] : 1.96
    }
}
