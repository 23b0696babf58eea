// Layer normalisation over the last axis, as torch.nn.LayerNorm (biased variance, eps inside the root).
// Rows spread over the cores; each core's share runs in the C kernels.
import CKernels
import Foundation

public enum LayerNorm {
    static func rowChunk(_ cols: Int) -> Int { max(1, 4096 / max(cols, 1)) }

    /// out (R,C) = (inp - mean) / sqrt(var + eps) * weight + bias, row by row. `out` may be `inp`.
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>,
                               rows: Int, cols: Int, eps: Float = 1e-5) {
        Parallel.chunks(rows, minimumChunk: rowChunk(cols)) { range in
            engine_layer_norm(out + range.lowerBound * cols, inp + range.lowerBound * cols, weight, bias, range.count, cols, eps)
        }
    }

    /// dinp (R,C) += gradient through the normalisation, from dout (R,C). Recomputes mean and rstd
    /// from `inp` (cheaper than keeping them).
    public static func backward(_ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ inp: UnsafePointer<Float>,
                                _ weight: UnsafePointer<Float>, rows: Int, cols: Int, eps: Float = 1e-5) {
        Parallel.chunks(rows, minimumChunk: rowChunk(cols)) { range in
            let offset = range.lowerBound * cols
            engine_layer_norm_backward(dinp + offset, dout + offset, inp + offset, weight, range.count, cols, eps)
        }
    }

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
                let dw = sums + worker * 2 * cols, offset = range.lowerBound * cols
                engine_layer_norm_parameter_gradients(dw, dw + cols, dout + offset, inp + offset, range.count, cols, eps)
            }
        }
        for worker in 0..<cores { for c in 0..<cols {
            dweight[c] += partial[worker * 2 * cols + c]
            dbias[c] += partial[worker * 2 * cols + cols + c]
        } }
    }
}
