import Foundation

/// A linear axis from data values to page positions, with "nice" tick values (1, 2, 5 x 10^n).
struct Axis {
    var range: ClosedRange<Double>
    /// Page positions of range.lowerBound and range.upperBound.
    var pixels: (Double, Double)

    func position(_ value: Double) -> Double {
        let span = range.upperBound - range.lowerBound
        let t = span == 0 ? 0 : (value - range.lowerBound) / span
        return pixels.0 + t * (pixels.1 - pixels.0)
    }

    func ticks(target: Int = 5) -> [Double] {
        let step = Axis.niceStep((range.upperBound - range.lowerBound) / Double(target))
        guard step > 0 else { return [range.lowerBound] }
        var tick = (range.lowerBound / step).rounded(.up) * step
        var out: [Double] = []
        while tick <= range.upperBound + step * 1e-9 {
            out.append(abs(tick) < step * 1e-9 ? 0 : tick)
            tick += step
        }
        return out
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 0 }
        let magnitude = pow(10, floor(log10(raw)))
        let fraction = raw / magnitude
        let nice: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return nice * magnitude
    }

    static func niceCeiling(_ value: Double) -> Double {
        let step = niceStep(value / 5)
        return step == 0 ? value : (value / step).rounded(.up) * step
    }

    static func label(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e6 { return String(Int(value)) }
        var s = String(format: "%.3f", value)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
