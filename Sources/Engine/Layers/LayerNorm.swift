// Layer normalisation over the last axis, as torch.nn.LayerNorm (biased variance, eps inside the root).
import Foundation

public enum LayerNorm {
    /// Mean and 1 / sqrt(variance + eps) of one row (biased variance, as torch).
    @inlinable @inline(__always)
    public static func statistics(_ x: UnsafePointer<Float>, cols: Int, eps: Float) -> (mean: Float, rstd: Float) {
        var sum: Float = 0
        for c in 0..<cols { sum += x[c] }
        let mean = sum / Float(cols)
        var sq: Float = 0
        for c in 0..<cols { let d = x[c] - mean; sq += d * d }
        return (mean, 1 / (sq / Float(cols) + eps).squareRoot())
    }

    /// out (R,C) = (inp - mean) / sqrt(var + eps) * weight + bias, row by row. `out` may be `inp`.
    @inlinable
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                               rows: Int, cols: Int, eps: Float = 1e-5) {
        Parallel.chunks(rows, minimumChunk: max(1, 4096 / max(cols, 1))) { range in
            for r in range {
                let x = inp + r * cols, y = out + r * cols
                let (mean, rstd) = statistics(x, cols: cols, eps: eps)
                for c in 0..<cols { y[c] = (x[c] - mean) * rstd * weight[c] + bias[c] }
            }
        }
    }
}

extension LayerNorm {
    /// dinp (R,C) += gradient through the normalisation, from dout (R,C); weights frozen, so no
    /// dweight or dbias. Recomputes mean and rstd from `inp` (cheaper than keeping them).
    @inlinable
    public static func backward(_ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ inp: UnsafePointer<Float>,
                                _ weight: UnsafePointer<Float>, rows: Int, cols: Int, eps: Float = 1e-5) {
        Parallel.chunks(rows, minimumChunk: max(1, 4096 / max(cols, 1))) { range in
            for r in range {
                let x = inp + r * cols, dy = dout + r * cols, dx = dinp + r * cols
                let (mean, rstd) = statistics(x, cols: cols, eps: eps)
                // dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy w
                var meanDxhat: Float = 0, meanDxhatXhat: Float = 0
                for c in 0..<cols {
                    let dxhat = dy[c] * weight[c], xhat = (x[c] - mean) * rstd
                    meanDxhat += dxhat; meanDxhatXhat += dxhat * xhat
                }
                meanDxhat /= Float(cols); meanDxhatXhat /= Float(cols)
                for c in 0..<cols {
                    let dxhat = dy[c] * weight[c], xhat = (x[c] - mean) * rstd
                    dx[c] += rstd * (dxhat - meanDxhat - xhat * meanDxhatXhat)
                }
            }
        }
    }
}

extension LayerNorm {
    /// The weight and bias gradients of a layer norm, accumulated: dweight += sum over rows of
    /// dout * xhat, dbias += sum of dout. Recomputes the statistics from `inp`, as `backward` does.
    public static func parameterGradients(_ dweight: UnsafeMutablePointer<Float>, _ dbias: UnsafeMutablePointer<Float>,
                                          _ dout: UnsafePointer<Float>, _ inp: UnsafePointer<Float>, rows: Int, cols: Int, eps: Float = 1e-5) {
        for r in 0..<rows {
            let x = inp + r * cols, dy = dout + r * cols
            let (mean, rstd) = statistics(x, cols: cols, eps: eps)
            for c in 0..<cols {
                dweight[c] += dy[c] * (x[c] - mean) * rstd
                dbias[c] += dy[c]
            }
        }
    }
}
