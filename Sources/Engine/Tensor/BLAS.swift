// Every matrix product in the engine goes through OpenBLAS's cblas_sgemm. OpenBLAS runs single-
// threaded and the engine splits large products by rows over the cores itself: OpenBLAS's own
// workers spin after each call and starve the engine's element-wise loops of the second core.
import CBLAS
import Dispatch

public enum BLAS {
    /// Cores for matrix products and the engine's loops (both follow Parallel.cores).
    public static var threads: Int {
        get { Parallel.cores }
        set { Parallel.cores = max(1, newValue) }
    }

    /// OpenBLAS's build description (kernel, threading), for benchmark reports.
    public static var configuration: String { String(cString: openblas_get_config()) }

    /// Set once, before the first product: OpenBLAS itself uses one thread per call.
    @usableFromInline static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// C (M,N) = alpha * op(A) * op(B) + beta * C, all row-major.
    /// op(A) is (M,K): A is stored (M,K), or (K,M) when `transposeA`. Likewise B is (K,N) or (N,K).
    /// Large products are split by rows of C over the cores unless `parallel` is false
    /// (callers that are already running one product per core).
    @inlinable
    public static func sgemm(
        _ a: UnsafePointer<Float>, transposeA: Bool = false,
        _ b: UnsafePointer<Float>, transposeB: Bool = false,
        _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
        lda: Int? = nil, ldb: Int? = nil, ldc: Int? = nil, parallel: Bool = true
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative dimension")
        if m == 0 || n == 0 { return }
        let lda = lda ?? (transposeA ? m : k)
        let ldb = ldb ?? (transposeB ? k : n)
        let ldc = ldc ?? n
        // One core's share: rows `rows` of C and columns `cols` of C.
        func call(_ rows: Range<Int>, _ cols: Range<Int>) {
            // Row i of op(A) starts at a + i*lda, or at column i (a + i) when A is stored transposed;
            // column j of op(B) at b + j, or at row j (b + j*ldb) when B is stored transposed.
            let aSlice = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
            let bSlice = transposeB ? b + cols.lowerBound * ldb : b + cols.lowerBound
            cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                        Int32(rows.count), Int32(cols.count), Int32(k), alpha, aSlice, Int32(max(lda, 1)), bSlice, Int32(max(ldb, 1)),
                        beta, c + rows.lowerBound * ldc + cols.lowerBound, Int32(max(ldc, 1)))
        }
        _ = singleThreaded
        let workers = Parallel.cores
        // Split the larger side of C over the cores, in multiples of 16, when there is work enough for each.
        guard parallel, workers > 1, max(m, n) >= 64 * workers, Double(m) * Double(n) * Double(k) >= 4e6 else {
            call(0..<m, 0..<n)
            return
        }
        let bySide = m >= n ? m : n
        let step = ((bySide + workers - 1) / workers + 15) / 16 * 16
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let start = w * step
            guard start < bySide else { return }
            let part = start..<min(bySide, start + step)
            if m >= n { call(part, 0..<n) } else { call(0..<m, part) }
        }
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
