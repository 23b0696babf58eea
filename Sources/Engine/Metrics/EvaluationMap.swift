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
        // Each pass adds the taps in the same order per pixel as a direct sum would, over a row padded once
        // (rather than reflecting every index), so the inner loop runs over contiguous pixels.
        var horizontal = [Float](repeating: 0, count: x.count)
        var padded = [Float](repeating: 0, count: width + 2 * radius)
        x.withUnsafeBufferPointer { src in horizontal.withUnsafeMutableBufferPointer { dst in padded.withUnsafeMutableBufferPointer { pad in
            for y in 0..<height {
                for c in 0..<(width + 2 * radius) { pad[c] = src[y * width + reflect(c - radius, width)] }
                let row = dst.baseAddress! + y * width
                for (k, w) in kernel.enumerated() {
                    let shifted = pad.baseAddress! + k
                    for c in 0..<width { row[c] += w * shifted[c] }
                }
            }
        } } }
        var out = [Float](repeating: 0, count: x.count)
        horizontal.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
            for y in 0..<height {
                let row = dst.baseAddress! + y * width
                for (k, w) in kernel.enumerated() {
                    let source = src.baseAddress! + reflect(y + k - radius, height) * width
                    for c in 0..<width { row[c] += w * source[c] }
                }
            }
        } }
        return out
    }
}
