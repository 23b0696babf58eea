// The simplest few-shot baseline: a memory of raw pixel patches from the normal shots; a test
// patch's score is its distance to the nearest one. Used to calibrate the synthetic benchmark's
// difficulty and as a control beside learned features.
import Foundation

public struct RawPatchMemory {
    public var patch: Int
    public var stride: Int
    /// (M, patch*patch*3) flattened memory patches.
    var memory: [Float] = []
    var memoryNorms: [Float] = []
    var count = 0

    public init(patch: Int = 8, stride: Int = 8) { self.patch = patch; self.stride = stride }

    /// All patches of an image on the grid, (gridH * gridW, patch*patch*3).
    func patches(_ image: Image, stride: Int) -> (values: [Float], gridW: Int, gridH: Int) {
        let rgb = image.rgb()
        let gw = (rgb.width - patch) / stride + 1, gh = (rgb.height - patch) / stride + 1
        let d = patch * patch * 3
        var out = [Float](repeating: 0, count: gw * gh * d)
        for gy in 0..<gh { for gx in 0..<gw {
            let base = (gy * gw + gx) * d
            for ky in 0..<patch { for kx in 0..<patch { for c in 0..<3 {
                out[base + (ky * patch + kx) * 3 + c] = rgb.pixels[((gy * stride + ky) * rgb.width + gx * stride + kx) * 3 + c]
            } } }
        } }
        return (out, gw, gh)
    }

    /// Memorises every patch of the shots, at half the stride (denser coverage of the normal look).
    public mutating func fit(_ shots: [Image]) {
        for shot in shots {
            let (values, gw, gh) = patches(shot, stride: max(1, stride / 2))
            memory += values
            count += gw * gh
        }
        let d = patch * patch * 3
        memoryNorms = (0..<count).map { i in (0..<d).reduce(Float(0)) { $0 + memory[i * d + $1] * memory[i * d + $1] } }
    }

    /// Patch scores (gridH, gridW): the Euclidean distance to the nearest memory patch.
    public func score(_ image: Image) -> (scores: [Float], gridW: Int, gridH: Int) {
        let (values, gw, gh) = patches(image, stride: stride)
        let n = gw * gh, d = patch * patch * 3
        // ||a - m||^2 = ||a||^2 - 2 a.m + ||m||^2, the dot products by sgemm.
        let dots = BLAS.matmul(values, memory, m: n, n: count, k: d, transposeB: true)
        var scores = [Float](repeating: 0, count: n)
        for i in 0..<n {
            var aa: Float = 0
            for k in 0..<d { aa += values[i * d + k] * values[i * d + k] }
            var best = Float.infinity
            for j in 0..<count { best = min(best, memoryNorms[j] - 2 * dots[i * count + j]) }
            scores[i] = max(0, aa + best).squareRoot()
        }
        return (scores, gw, gh)
    }
}
