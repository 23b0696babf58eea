// PIL's resampling of 8-bit images (Resample.c): separable, horizontal pass then vertical, the
// kernel widened by the scale when shrinking (antialiasing), fixed-point weights with 22
// fractional bits, and each pass rounded and clipped to 8 bits, as Pillow does.
import Foundation

public enum PILResize {
    public enum Filter: Sendable {
        case bicubic, bilinear

        var support: Double { self == .bicubic ? 2 : 1 }

        func weight(_ x: Double) -> Double {
            let x = abs(x)
            switch self {
            case .bicubic:
                let a = -0.5  // PIL's bicubic
                if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
                if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
                return 0
            case .bilinear:
                return x < 1 ? 1 - x : 0
            }
        }
    }

    public static let precisionBits = 32 - 8 - 2

    /// For each output index: the first input index and the fixed-point weights.
    public static func coefficients(inSize: Int, outSize: Int, filter: Filter) -> [(start: Int, weights: [Int32])] {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1)
        let support = filter.support * filterScale
        return (0..<outSize).map { xx in
            let center = (Double(xx) + 0.5) * scale
            let inverse = 1 / filterScale
            let xmin = max(Int(center - support + 0.5), 0)          // C's (int) truncation
            let count = min(Int(center + support + 0.5), inSize) - xmin
            var weights = (0..<max(count, 0)).map { filter.weight((Double($0 + xmin) - center + 0.5) * inverse) }
            let total = weights.reduce(0, +)
            if total != 0 { weights = weights.map { $0 / total } }
            let fixed = weights.map { w -> Int32 in
                let scaled = w * Double(1 << precisionBits)
                return Int32(scaled < 0 ? scaled - 0.5 : scaled + 0.5)
            }
            return (xmin, fixed)
        }
    }

    @inline(__always) static func clip8(_ value: Int64) -> UInt8 {
        let shifted = value >> Int64(precisionBits)
        return UInt8(max(0, min(255, shifted)))
    }

    /// Resizes interleaved 8-bit pixels (height, width, channels) to (outHeight, outWidth).
    public static func resize(_ pixels: [UInt8], width: Int, height: Int, channels: Int,
                              outWidth: Int, outHeight: Int, filter: Filter = .bicubic) -> [UInt8] {
        var current = pixels, w = width
        if outWidth != width {
            let coeffs = coefficients(inSize: width, outSize: outWidth, filter: filter)
            var out = [UInt8](repeating: 0, count: outWidth * height * channels)
            for y in 0..<height {
                for x in 0..<outWidth {
                    let (start, weights) = coeffs[x]
                    for c in 0..<channels {
                        var sum: Int64 = 1 << Int64(precisionBits - 1)
                        for (k, weight) in weights.enumerated() {
                            sum += Int64(current[(y * w + start + k) * channels + c]) * Int64(weight)
                        }
                        out[(y * outWidth + x) * channels + c] = clip8(sum)
                    }
                }
            }
            current = out
            w = outWidth
        }
        if outHeight != height {
            let coeffs = coefficients(inSize: height, outSize: outHeight, filter: filter)
            var out = [UInt8](repeating: 0, count: w * outHeight * channels)
            for y in 0..<outHeight {
                let (start, weights) = coeffs[y]
                for x in 0..<w {
                    for c in 0..<channels {
                        var sum: Int64 = 1 << Int64(precisionBits - 1)
                        for (k, weight) in weights.enumerated() {
                            sum += Int64(current[((start + k) * w + x) * channels + c]) * Int64(weight)
                        }
                        out[(y * w + x) * channels + c] = clip8(sum)
                    }
                }
            }
            current = out
        }
        return current
    }
}
