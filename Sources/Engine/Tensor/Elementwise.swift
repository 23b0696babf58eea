// Element-wise loops over row-major (rows, cols) buffers, spread over the cores; each core's share
// runs in the C kernels (CKernels), compiled per instruction set.
import CKernels
import Foundation

public enum Elementwise {
    /// x[r, c] += bias[c]
    public static func addBias(_ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, cols: Int) {
        Parallel.chunks(rows, minimumChunk: max(1, 4096 / max(cols, 1))) { range in
            engine_add_bias(x + range.lowerBound * cols, bias, range.count, cols)
        }
    }

    /// x = act(x + bias): GELU in its exact erf form (PyTorch's nn.GELU default, OpenCLIP's
    /// ViT-B-16-plus-240), or with `quick` OpenAI's QuickGELU, x sigmoid(1.702 x).
    public static func addBiasActivation(_ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, cols: Int, quick: Bool) {
        Parallel.chunks(rows, minimumChunk: max(1, 4096 / max(cols, 1))) { range in
            engine_add_bias_activation(x + range.lowerBound * cols, bias, range.count, cols, quick ? 1 : 0)
        }
    }

    /// out = act(u) over `count` values, u kept (a training forward pass keeps it for the backward pass).
    public static func activation(_ out: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count: Int, quick: Bool) {
        Parallel.chunks(count) { range in
            engine_activation(out + range.lowerBound, u + range.lowerBound, range.count, quick ? 1 : 0)
        }
    }

    /// du = dg * act'(u) over `count` values: the MLP activation's backward pass.
    public static func activationBackward(_ du: UnsafeMutablePointer<Float>, _ dg: UnsafePointer<Float>, _ u: UnsafePointer<Float>,
                                          count: Int, quick: Bool) {
        Parallel.chunks(count) { range in
            engine_activation_backward(du + range.lowerBound, dg + range.lowerBound, u + range.lowerBound, range.count, quick ? 1 : 0)
        }
    }

    /// Row-wise softmax in place, single-threaded (it runs inside a per-head task); with `causal`,
    /// entries right of the diagonal become 0.
    public static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, causal: Bool) {
        engine_softmax_rows(x, rows, cols, causal ? 1 : 0)
    }

    /// y += x, element by element (a residual connection).
    @inlinable
    public static func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        Parallel.chunks(count) { range in
            for i in range { y[i] += x[i] }
        }
    }
}

/// The kernels' scalar functions, for the engine's other arithmetic and the tests: exp and erf without
/// library calls (accurate to a few 1e-7, FastMathTests), GELU and QuickGELU.
public enum FastMath {
    public static func exp(_ x: Float) -> Float { engine_exp(x) }
    public static func erf(_ x: Float) -> Float { engine_erf(x) }
    /// GELU(x) = x/2 (1 + erf(x / sqrt 2)), torch.nn.GELU's exact form.
    public static func gelu(_ x: Float) -> Float { engine_gelu(x) }
    /// x sigmoid(1.702 x): OpenAI's QuickGELU.
    public static func quickGELU(_ x: Float) -> Float { engine_quick_gelu(x) }
}
