// Every matrix product in the engine goes through OpenBLAS's cblas_sgemm.
import CBLAS

public enum BLAS {
    /// Threads OpenBLAS uses for one product; defaults to the machine's cores.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// OpenBLAS's build description (kernel, threading), for benchmark reports.
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// C (M,N) = alpha * op(A) * op(B) + beta * C, all row-major.
    /// op(A) is (M,K): A is stored (M,K), or (K,M) when `transposeA`. Likewise B is (K,N) or (N,K).
    @inlinable
    public static func sgemm(
        _ a: UnsafePointer<Float>, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, transposeB: Bool = false,
        _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
        lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension")
        if m == 0 || n == 0 { return }
        let lda = lda ?? (transposeA ? m : k)
        let ldb = ldb ?? (transposeB ? k : n)
        let ldc = ldc ?? n
        cblas_sgemm(CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(max(lda, 1)), b, Int32(max(ldb, 1)),
                    beta, c, Int32(max(ldc, 1)))
    }

    /// Array form of `sgemm` for small products and tests: returns op(A) * op(B), shape (M,N).
    public static func matmul(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
                              transposeA: Bool = false, transposeB: Bool = false) -> [Float] {
        precondition(a.count == m * k && b.count == k * n, "matmul: sizes do not match (M=\(m), N=\(n), K=\(k))")
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    sgemm(pa.baseAddress!, transposeA: transposeA, pb.baseAddress!, transposeB: transposeB,
                          pc.baseAddress!, m: m, n: n, k: k)
                }
            }
        }
        return c
    }
}
