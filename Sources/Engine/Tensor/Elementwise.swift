// Fused element-wise loops over row-major (rows, cols) buffers, spread over the cores.
import Foundation

public enum Elementwise {
    /// x[r, c] += bias[c]
    @inlinable
    public static func addBias(_ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, cols: Int) {
        Parallel.chunks(rows * cols) { range in
            for i in range { x[i] += bias[i % cols] }
        }
    }

    /// x = GELU(x + bias), GELU with the exact erf form (PyTorch's nn.GELU default, OpenCLIP's ViT-B-16-plus-240).
    @inlinable
    public static func addBiasGELU(_ x: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, cols: Int) {
        Parallel.chunks(rows * cols) { range in
            for i in range {
                let v = x[i] + bias[i % cols]
                x[i] = 0.5 * v * (1 + erff(v * 0.707_106_77))
            }
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
