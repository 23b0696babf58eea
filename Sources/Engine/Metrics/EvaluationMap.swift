// From patch scores to a pixel map for scoring: bilinear upsampling to the evaluation size, then a
// Gaussian blur (PromptAD: sigma 4, as scipy.ndimage.gaussian_filter: radius 4 sigma, mirrored edges).
import Foundation

public enum EvaluationMap {
    /// The largest evaluation side: 1024 px is MVTec AD's largest image; VisA's 1725 test images at that size are
    /// 1.8 billion pixels for the pixel metrics, about all 24 GB hold.
    public static let maxSize = 1024

    /// grid (gridHeight, gridWidth) -> (size, size), blurred with `sigma` (0: no blur).
    public static func make(patchScores grid: [Float], gridWidth: Int, gridHeight: Int, size: Int, sigma: Float = 4) -> [Float] {
        let up = Resampling.resize(grid, width: gridWidth, height: gridHeight, channels: 1, toWidth: size, toHeight: size, filter: .bilinear)
        return sigma > 0 ? gaussianBlur(up, width: size, height: size, sigma: sigma) : up
    }

    /// Separable Gaussian, kernel truncated at 4 sigma, edges mirrored half-sample (scipy's 'reflect').
    public static func gaussianBlur(_ x: [Float], width: Int, height: Int, sigma: Float) -> [Float] {
        let radius = Int(4 * sigma + 0.5)
        var kernel = (-radius...radius).map { expf(-Float($0 * $0) / (2 * sigma * sigma)) }
        let total = kernel.reduce(0, +)
        kernel = kernel.map { $0 / total }
        func reflect(_ i: Int, _ n: Int) -> Int {
            var i = i
            let period = 2 * n
            i = ((i % period) + period) % period
            return i < n ? i : period - 1 - i
        }
        var horizontal = [Float](repeating: 0, count: x.count)
        for y in 0..<height { for c in 0..<width {
            var sum: Float = 0
            for k in -radius...radius { sum += x[y * width + reflect(c + k, width)] * kernel[k + radius] }
            horizontal[y * width + c] = sum
        } }
        var out = [Float](repeating: 0, count: x.count)
        for y in 0..<height { for c in 0..<width {
            var sum: Float = 0
            for k in -radius...radius { sum += horizontal[reflect(y + k, height) * width + c] * kernel[k + radius] }
            out[y * width + c] = sum
        } }
        return out
    }
}
