// Fused element-wise loops over row-major (rows, cols) buffers, spread over the cores.
import Foundation

public enum Elementwise {
    /// x[r, c] += bias[c]
    @inlinable
    public static func addBias(_ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, cols: Int) {
        Parallel.chunks(rows, minimumChunk: max(1, 4096 / max(cols, 1))) { range in
            for r in range {
                let row = x + r * cols
                for c in 0..<cols { row[c] += bias[c] }
            }
        }
    }

    /// x = act(x + bias): GELU in its exact erf form (PyTorch's nn.GELU default, OpenCLIP's
    /// ViT-B-16-plus-240), or with `quick` OpenAI's QuickGELU, x sigmoid(1.702 x). The loops call
    /// FastMath directly (no closure), so they inline and vectorise.
    @inlinable
    public static func addBiasActivation(_ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, cols: Int, quick: Bool) {
        Parallel.chunks(rows, minimumChunk: max(1, 4096 / max(cols, 1))) { range in
            for r in range {
                let row = x + r * cols
                if quick { for c in 0..<cols { row[c] = FastMath.quickGELU(row[c] + bias[c]) } }
                else { for c in 0..<cols { row[c] = FastMath.gelu(row[c] + bias[c]) } }
            }
        }
    }

    /// out = act(u) over `count` values, u kept (a training forward pass keeps it for the backward pass).
    @inlinable
    public static func activation(_ out: UnsafeMutablePointer<Float>, _ u: UnsafePointer<Float>, count: Int, quick: Bool) {
        Parallel.chunks(count) { range in
            if quick { for i in range { out[i] = FastMath.quickGELU(u[i]) } }
            else { for i in range { out[i] = FastMath.gelu(u[i]) } }
        }
    }

    /// du = dg * act'(u) over `count` values: the MLP activation's backward pass.
    @inlinable
    public static func activationBackward(_ du: UnsafeMutablePointer<Float>, _ dg: UnsafePointer<Float>, _ u: UnsafePointer<Float>,
                                          count: Int, quick: Bool) {
        Parallel.chunks(count) { range in
            if quick { for i in range { du[i] = dg[i] * FastMath.quickGELUDerivative(u[i]) } }
            else { for i in range { du[i] = dg[i] * FastMath.geluDerivative(u[i]) } }
        }
    }

    /// Row-wise softmax in place, single-threaded (it runs inside a per-head task); with `causal`,
    /// entries right of the diagonal become 0.
    @inlinable
    public static func softmaxRows(_ x: UnsafeMutablePointer<Float>, rows: Int, cols: Int, causal: Bool) {
        for r in 0..<rows {
            let row = x + r * cols
            let n = causal ? r + 1 : cols
            var maxValue = -Float.infinity
            for c in 0..<n { maxValue = max(maxValue, row[c]) }
            for c in 0..<n { row[c] = FastMath.exp(row[c] - maxValue) }   // apart from the sum, so it vectorises
            var sum: Float = 0
            for c in 0..<n { sum += row[c] }
            let inv = 1 / sum
            for c in 0..<n { row[c] *= inv }
            if n < cols { for c in n..<cols { row[c] = 0 } }
        }
    }

    /// y += x, element by element (a residual connection).
    @inlinable
    public static func add(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, count: Int) {
        Parallel.chunks(count) { range in
            for i in range { y[i] += x[i] }
        }
    }
}

// exp and erf without library calls, so the loops above vectorise: the MLP's GELU runs over 6.5
// million values per ViT-B block, and libm's scalar erff there cost as much as the block's matrix
// products. Accurate to a few 1e-7 (FastMathTests). In this file, beside the loops that call them,
// so they inline even in debug builds, which compile file by file.
public enum FastMath {
    /// e^x for x in about [-87, 88]: range reduction by ln 2, a degree-6 polynomial (Cephes' expf),
    /// 2^n put in the exponent bits. Branch-free, no conversions that trap.
    @inlinable @inline(__always)
    public static func exp(_ x0: Float) -> Float {
        let x = x0 > 88.3 ? 88.3 : (x0 < -87.3 ? -87.3 : x0)
        let shifted = x * 1.442_695_04 + 12_582_912   // 1.5 * 2^23: rounds x/ln2, the integer sits in the low mantissa bits
        let n = shifted - 12_582_912
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4   // ln 2 in two parts
        var p: Float = 1.987_569_15e-4
        p = p * r + 1.398_199_95e-3
        p = p * r + 8.333_451_9e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 1.666_666_55e-1
        p = p * r + 5.000_000_1e-1
        let er = p * r * r + r + 1
        return er * Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
    }

    /// erf(x) by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7), odd-extended.
    @inlinable @inline(__always)
    public static func erf(_ x: Float) -> Float {
        let a = abs(x)
        let t = 1 / (1 + 0.327_591_1 * a)
        var p: Float = 1.061_405_429
        p = p * t - 1.453_152_027
        p = p * t + 1.421_413_741
        p = p * t - 0.284_496_736
        p = p * t + 0.254_829_592
        let y = 1 - p * t * exp(-a * a)
        return x < 0 ? -y : y
    }

    /// GELU(x) = x/2 (1 + erf(x / sqrt 2)), torch.nn.GELU's exact form.
    @inlinable @inline(__always)
    public static func gelu(_ x: Float) -> Float { 0.5 * x * (1 + erf(x * 0.707_106_781)) }

    /// d GELU / dx = (1 + erf(x / sqrt 2)) / 2 + x exp(-x^2 / 2) / sqrt(2 pi).
    @inlinable @inline(__always)
    public static func geluDerivative(_ x: Float) -> Float {
        0.5 * (1 + erf(x * 0.707_106_781)) + x * exp(-0.5 * x * x) * 0.398_942_28
    }

    /// d QuickGELU / dx = s + 1.702 x s (1 - s), s = sigmoid(1.702 x).
    @inlinable @inline(__always)
    public static func quickGELUDerivative(_ x: Float) -> Float {
        let s = 1 / (1 + exp(-1.702 * x))
        return s + 1.702 * x * s * (1 - s)
    }

    /// x sigmoid(1.702 x): OpenAI's QuickGELU.
    @inlinable @inline(__always)
    public static func quickGELU(_ x: Float) -> Float { x / (1 + exp(-1.702 * x)) }
}
