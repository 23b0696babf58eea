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

extension Linear {
    /// Backward of `forward`: dinp (R,K) = dout (R,N) W (N,K) when given (overwritten); dweight (N,K) += dout^T inp
    /// and dbias (N) += column sums of dout when given (frozen weights pass nil and skip that work).
    public static func backward(dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
                                dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                rows: Int, inFeatures: Int, outFeatures: Int) {
        if let dinp { BLAS.sgemm(dout, weight, dinp, m: rows, n: inFeatures, k: outFeatures) }
        if let dweight { BLAS.sgemm(dout, transposeA: true, inp, dweight, m: outFeatures, n: inFeatures, k: rows, beta: 1) }
        if let dbias {
            // Column sums as a product with a row of ones, so they spread over the cores like the rest.
            let ones = [Float](repeating: 1, count: rows)
            BLAS.sgemm(ones, dout, dbias, m: 1, n: outFeatures, k: rows, beta: 1)
        }
    }
}
