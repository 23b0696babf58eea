// The percentile bootstrap: a statistic recomputed on seeded draws with replacement, its interval
// read at numpy's default (linear) percentiles. Image AUROC and the model comparison both use it.
public enum Bootstrap {
    /// The `confidence` interval of `statistic` over `resamples` draws of `count` indices with replacement.
    /// A draw on which the statistic is undefined (nan) is drawn again, up to 20 x `resamples` draws in all.
    public static func interval(count: Int, confidence: Double = 0.95, resamples: Int, seed: UInt64,
                                statistic: ([Int]) -> Double) -> ClosedRange<Double> {
        precondition(count > 0, "bootstrap: nothing to resample")
        var generator = SplitMix64(seed: seed)
        var values: [Double] = []
        values.reserveCapacity(resamples)
        var drawn = [Int](repeating: 0, count: count)
        var attempts = 0
        while values.count < resamples && attempts < resamples * 20 {
            attempts += 1
            for i in 0..<count { drawn[i] = Int(generator.next() % UInt64(count)) }
            let value = statistic(drawn)
            if !value.isNaN { values.append(value) }
        }
        guard !values.isEmpty else { return Double.nan...Double.nan }
        values.sort()
        let alpha = (1 - confidence) / 2
        func quantile(_ q: Double) -> Double {
            let position = q * Double(values.count - 1)
            let lower = Int(position.rounded(.down)), upper = min(lower + 1, values.count - 1)
            return values[lower] + (values[upper] - values[lower]) * (position - Double(lower))
        }
        return quantile(alpha)...quantile(1 - alpha)
    }
}
