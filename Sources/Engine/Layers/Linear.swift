// A fully connected layer as torch.nn.Linear stores it: weight (N,K), out = inp W^T + bias.
public enum Linear {
    /// out (R,N) = inp (R,K) x weight^T (K,N) + bias (N); with `accumulate`, added to what `out` holds.
    @inlinable
    public static func forward(_ out: UnsafeMutablePointer<Float>, _ inp: UnsafePointer<Float>,
                               _ weight: UnsafePointer<Float>, _ bias: UnsafePointer<Float>?,
                               rows: Int, inFeatures: Int, outFeatures: Int, accumulate: Bool = false) {
        BLAS.sgemm(inp, weight, transposeB: true, out, m: rows, n: outFeatures, k: inFeatures, beta: accumulate ? 1 : 0)
        if let bias { Elementwise.addBias(out, bias, rows: rows, cols: outFeatures) }
    }
}
