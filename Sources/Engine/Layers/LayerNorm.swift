// Layer normalisation over the last axis, as torch.nn.LayerNorm (biased variance, eps inside the root).
import Foundation

public enum LayerNorm {
    /// out (R,C) = (inp - mean) / sqrt(var + eps) * weight + bias, row by row. `out` may be `inp`.
    @inlinable
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                               rows: Int, cols: Int, eps: Float = 1e-5) {
        Parallel.chunks(rows, minimumChunk: max(1, 4096 / max(cols, 1))) { range in
            for r in range {
                let x = inp + r * cols, y = out + r * cols
                var sum: Float = 0
                for c in 0..<cols { sum += x[c] }
                let mean = sum / Float(cols)
                var sq: Float = 0
                for c in 0..<cols { let d = x[c] - mean; sq += d * d }
                let rstd = 1 / (sq / Float(cols) + eps).squareRoot()
                for c in 0..<cols { y[c] = (x[c] - mean) * rstd * weight[c] + bias[c] }
            }
        }
    }
}
