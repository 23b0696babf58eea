import Engine
import Testing

@Suite struct BLASTests {
    @Test func sgemmMatchesAProductWorkedByHand() {
        // [1 2 3; 4 5 6] x [7 8; 9 10; 11 12] = [58 64; 139 154]
        let c = BLAS.matmul([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12], m: 2, n: 2, k: 3)
        #expect(c == [58, 64, 139, 154])
    }

    @Test func sgemmTransposesAndAccumulates() {
        // A stored (K,M) = [1 4; 2 5; 3 6] is the same A as above once transposed.
        let a: [Float] = [1, 4, 2, 5, 3, 6]
        // B stored (N,K) = [7 9 11; 8 10 12].
        let b: [Float] = [7, 9, 11, 8, 10, 12]
        #expect(BLAS.matmul(a, b, m: 2, n: 2, k: 3, transposeA: true, transposeB: true) == [58, 64, 139, 154])
        var c: [Float] = [1, 1, 1, 1]
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in c.withUnsafeMutableBufferPointer { pc in
            BLAS.sgemm(pa.baseAddress!, transposeA: true, pb.baseAddress!, transposeB: true, pc.baseAddress!,
                       m: 2, n: 2, k: 3, alpha: 2, beta: 10)
        } } }
        #expect(c == [126, 138, 288, 318])
    }

    @Test func sgemmAgreesWithATripleLoopOnOddSizes() {
        let (m, n, k) = (37, 29, 53)
        var seed: UInt32 = 12345
        func next() -> Float { seed = seed &* 1_664_525 &+ 1_013_904_223; return Float(seed >> 8) / Float(1 << 24) - 0.5 }
        let a = (0..<(m * k)).map { _ in next() }, b = (0..<(k * n)).map { _ in next() }
        let c = BLAS.matmul(a, b, m: m, n: n, k: k)
        var worst: Float = 0
        for i in 0..<m { for j in 0..<n {
            var sum: Double = 0
            for p in 0..<k { sum += Double(a[i * k + p]) * Double(b[p * n + j]) }
            worst = max(worst, abs(Float(sum) - c[i * n + j]))
        } }
        #expect(worst < 1e-5, "largest difference \(worst)")
    }

    @Test func threadCountIsSettable() {
        let before = BLAS.threads
        BLAS.threads = 1
        #expect(BLAS.threads == 1)
        BLAS.threads = before
        #expect(BLAS.threads == before)
        #expect(!BLAS.configuration.isEmpty)
    }
}
