// From patch scores to a pixel map for scoring: bilinear upsampling to the evaluation size, then a
// Gaussian blur (PromptAD: sigma 4, as scipy.ndimage.gaussian_filter: radius 4 sigma, mirrored edges).
// Both are linear and separable, so the map is A_y G A_x^T with one (size, grid) operator per axis:
// two small matrix products per image instead of a 33-tap pass over every pixel twice.
import Foundation

public enum EvaluationMap {
    /// The largest evaluation side: 1024 px is MVTec AD's largest image; VisA's 1725 test images at that size are
    /// 1.8 billion pixels for the pixel metrics, about all 24 GB hold.
    public static let maxSize = 1024

    /// grid (gridHeight, gridWidth) -> (size, size), blurred with `sigma` (0: no blur).
    public static func make(patchScores grid: [Float], gridWidth: Int, gridHeight: Int, size: Int, sigma: Float = 4) -> [Float] {
        precondition(grid.count == gridWidth * gridHeight, "EvaluationMap: \(grid.count) scores for a \(gridWidth)x\(gridHeight) grid")
        let ax = axisOperator(grid: gridWidth, size: size, sigma: sigma), ay = axisOperator(grid: gridHeight, size: size, sigma: sigma)
        let rows = BLAS.matmul(grid, ax, m: gridHeight, n: size, k: gridWidth, transposeB: true)   // (gridHeight, size)
        return BLAS.matmul(ay, rows, m: size, n: size, k: gridHeight)
    }

    /// One axis: `grid` samples upsampled bilinearly to `size`, then blurred, as a (size, grid) matrix (cached).
    static func axisOperator(grid: Int, size: Int, sigma: Float) -> [Float] {
        let key = OperatorKey(grid: grid, size: size, sigma: sigma)
        lock.lock(); defer { lock.unlock() }
        if let cached = operators[key] { return cached }
        var up = [Float](repeating: 0, count: size * grid)   // (size, grid) bilinear weights
        for (o, (i0, i1, f)) in Resampling.bilinearTaps(size, grid).enumerated() {
            up[o * grid + i0] += 1 - f; up[o * grid + i1] += f
        }
        var out = up
        if sigma > 0 {
            let radius = Int(4 * sigma + 0.5)
            var kernel = (-radius...radius).map { expf(-Float($0 * $0) / (2 * sigma * sigma)) }
            let total = kernel.reduce(0, +)
            kernel = kernel.map { $0 / total }
            // scipy's 'reflect': the edge sample repeats (d c b a | a b c d | d c b a).
            func reflect(_ i: Int) -> Int {
                let period = 2 * size, j = ((i % period) + period) % period
                return j < size ? j : period - 1 - j
            }
            out = [Float](repeating: 0, count: size * grid)
            for o in 0..<size {
                for (k, w) in kernel.enumerated() {
                    let source = reflect(o + k - radius) * grid
                    for g in 0..<grid { out[o * grid + g] += w * up[source + g] }
                }
            }
        }
        if operators.count > 16 { operators.removeAll() }
        operators[key] = out
        return out
    }

    struct OperatorKey: Hashable { let grid: Int, size: Int, sigma: Float }
    nonisolated(unsafe) static var operators: [OperatorKey: [Float]] = [:]
    static let lock = NSLock()
}
