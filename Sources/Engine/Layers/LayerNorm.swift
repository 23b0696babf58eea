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
        // Each core sums its share of the rows; the partial sums are added at the end.
        let cores = Parallel.cores
        var partial = [Float](repeating: 0, count: cores * 2 * cols)
        partial.withUnsafeMutableBufferPointer { sums in
            let sums = sums.baseAddress!
            Parallel.workers(rows, minimumChunk: 64) { worker, range in
                let dw = sums + worker * 2 * cols, db = dw + cols
                for r in range {
                    let x = inp + r * cols, dy = dout + r * cols
                    let (mean, rstd) = statistics(x, cols: cols, eps: eps)
                    for c in 0..<cols {
                        dw[c] += dy[c] * (x[c] - mean) * rstd
                        db[c] += dy[c]
                    }
                }
            }
        }
        for worker in 0..<cores { for c in 0..<cols {
            dweight[c] += partial[worker * 2 * cols + c]
            dbias[c] += partial[worker * 2 * cols + cols + c]
        } }
    }
}
