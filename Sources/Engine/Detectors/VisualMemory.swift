// PromptAD's visual memory (docs/method-notes.md section 5; PatchCore-style nearest neighbour): the patch
// tokens of the normal shots at each tap; a test patch scores min over the memory of (1 - cos) / 2,
// averaged over the taps.
import Foundation

public struct VisualMemory: Sendable {
    /// Per tap: (M, C) L2-normalised memory tokens.
    var memories: [[Float]]
    var counts: [Int]
    public let width: [Int]

    /// `shots[i][t]`: tap t's (P, C_t) tokens of shot i.
    public init(shots: [[[Float]]], widths: [Int]) {
        precondition(!shots.isEmpty && shots.allSatisfy { $0.count == widths.count }, "VisualMemory: every shot needs every tap")
        width = widths
        let memories = widths.indices.map { t in shots.flatMap { VisualMemory.normalizedRows($0[t], width: widths[t]) } }
        self.memories = memories
        counts = widths.indices.map { t in memories[t].count / widths[t] }
    }

    static func normalizedRows(_ x: [Float], width C: Int) -> [Float] {
        var out = x
        for r in 0..<(x.count / C) {
            var norm: Float = 0
            for c in 0..<C { norm += x[r * C + c] * x[r * C + c] }
            let inv = norm > 0 ? 1 / norm.squareRoot() : 0
            for c in 0..<C { out[r * C + c] *= inv }
        }
        return out
    }

    /// (P) patch scores for one test image: `taps[t]` its (P, C_t) tokens at tap t.
    public func score(_ taps: [[Float]]) -> [Float] {
        precondition(taps.count == width.count, "VisualMemory: \(taps.count) taps given, \(width.count) remembered")
        var total: [Float]? = nil
        for (t, tokens) in taps.enumerated() {
            let C = width[t], P = tokens.count / C, M = counts[t]
            let query = VisualMemory.normalizedRows(tokens, width: C)
            let similarity = BLAS.matmul(query, memories[t], m: P, n: M, k: C, transposeB: true)   // (P, M) cosines
            var scores = [Float](repeating: 0, count: P)
            for p in 0..<P {
                var best = -Float.infinity
                for m in 0..<M { best = max(best, similarity[p * M + m]) }
                scores[p] = (1 - best) / 2
            }
            total = total.map { zip($0, scores).map { $0 + $1 } } ?? scores
        }
        return total!.map { $0 / Float(taps.count) }
    }
}
