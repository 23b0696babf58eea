// Measures the machine's sgemm rate and an sgemm-heavy transformer MLP loop, for `report bench sgemm`.
import Foundation

public enum MatmulBenchmark {
    public struct Measurement: Codable, Sendable {
        public var name: String
        public var seconds: Double
        public var gflopPerSecond: Double
    }

    /// Square C = A B of size n, best of `repeats` runs (2 n^3 flops each).
    public static func sgemm(size n: Int, repeats: Int = 5) -> Measurement {
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        let best = bestTime(repeats) {
            a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
                BLAS.sgemm(pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, m: n, n: n, k: n)
            } } }
        }
        return Measurement(name: "sgemm \(n)x\(n)x\(n)", seconds: best, gflopPerSecond: 2 * pow(Double(n), 3) / best / 1e9)
    }

    /// A ViT MLP block as the engine runs it: (T,C) x (C,4C) + bias, GELU, x (4C,C) + bias, residual add.
    /// The element-wise loops are Swift; their speed is what optimisation flags change.
    public static func mlpBlock(tokens: Int = 226 * 8, width: Int = 896, repeats: Int = 5) -> Measurement {
        let hidden = 4 * width
        var seed: UInt32 = 1
        func random(_ count: Int) -> [Float] {
            (0..<count).map { _ in seed = seed &* 1_664_525 &+ 1_013_904_223; return Float(seed >> 8) / Float(1 << 24) - 0.5 }
        }
        let x = random(tokens * width), w1 = random(width * hidden), b1 = random(hidden), w2 = random(hidden * width), b2 = random(width)
        var h = [Float](repeating: 0, count: tokens * hidden), y = x
        let best = bestTime(repeats) {
            x.withUnsafeBufferPointer { px in w1.withUnsafeBufferPointer { pw1 in w2.withUnsafeBufferPointer { pw2 in
            b1.withUnsafeBufferPointer { pb1 in b2.withUnsafeBufferPointer { pb2 in
            h.withUnsafeMutableBufferPointer { ph in y.withUnsafeMutableBufferPointer { py in
                BLAS.sgemm(px.baseAddress!, pw1.baseAddress!, ph.baseAddress!, m: tokens, n: hidden, k: width)
                Elementwise.addBiasActivation(ph.baseAddress!, pb1.baseAddress!, rows: tokens, cols: hidden, quick: false)
                BLAS.sgemm(ph.baseAddress!, pw2.baseAddress!, py.baseAddress!, m: tokens, n: width, k: hidden)
                Elementwise.addBias(py.baseAddress!, pb2.baseAddress!, rows: tokens, cols: width)
                Elementwise.add(py.baseAddress!, px.baseAddress!, count: tokens * width)
            } } } } } } }
        }
        let flops = 2.0 * 2.0 * Double(tokens) * Double(width) * Double(hidden)
        return Measurement(name: "MLP block T=\(tokens) C=\(width)", seconds: best, gflopPerSecond: flops / best / 1e9)
    }

    static func bestTime(_ repeats: Int, _ body: () -> Void) -> Double {
        body()  // warm-up: OpenBLAS starts its threads, pages are touched
        var best = Double.infinity
        for _ in 0..<max(repeats, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return best
    }
}
