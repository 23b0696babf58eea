// Multi-head scaled dot-product attention over one sequence, from a packed QKV (T, 3C) as
// nn.MultiheadAttention's in-projection produces it. Also PromptAD's V-V attention.
import Foundation

public enum Attention {
    public enum Kind: Sendable {
        /// softmax(Q K^T / sqrt(d)) V
        case ordinary
        /// softmax(V V^T / sqrt(d)) V: CLIP surgery's value-value attention (docs/method-notes.md section 2).
        case valueValue
    }

    /// One head of one sequence, single-threaded: callers run (sequence, head) pairs on the cores.
    /// `queries`: only the first that many tokens' outputs (all keys and values still count), e.g. the class token alone.
    @inlinable
    public static func head(_ h: Int, _ out: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
                            scores: UnsafeMutablePointer<Float>, tokens T: Int, width C: Int, heads H: Int,
                            kind: Kind, causal: Bool, queries: Int? = nil) {
        let d = C / H, Q = queries ?? T
        let scale = 1 / Float(d).squareRoot()
        let q = qkv + (kind == .ordinary ? 0 : 2 * C) + h * d
        let k = qkv + (kind == .ordinary ? C : 2 * C) + h * d
        let v = qkv + 2 * C + h * d
        // scores (Q,T) = Q (Q,d) K^T (d,T) * scale, rows strided by 3C in the packed buffer
        BLAS.sgemm(q, k, transposeB: true, scores, m: Q, n: T, k: d, alpha: scale, lda: 3 * C, ldb: 3 * C, ldc: T, parallel: false)
        Elementwise.softmaxRows(scores, rows: Q, cols: T, causal: causal)
        // out[:, h*d..<(h+1)*d] (Q,d) = scores (Q,T) V (T,d)
        BLAS.sgemm(scores, v, out + h * d, m: Q, n: d, k: T, ldb: 3 * C, ldc: C, parallel: false)
    }
}

extension Attention {
    /// Gradient of one ordinary head of one sequence, single-threaded.
    /// probs (T,T): the softmax kept from the forward pass; datt (T,C): the gradient of the attention
    /// output (before the out-projection); dqkv (T,3C) receives dQ | dK | dV for this head's columns.
    /// `scratch` has room for T*T floats.
    @inlinable
    public static func backwardHead(_ h: Int, dqkv: UnsafeMutablePointer<Float>, datt: UnsafePointer<Float>,
                                    qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                                    tokens T: Int, width C: Int, heads H: Int) {
        let d = C / H
        let scale = 1 / Float(d).squareRoot()
        let q = qkv + h * d, k = qkv + C + h * d, v = qkv + 2 * C + h * d
        let dq = dqkv + h * d, dk = dqkv + C + h * d, dv = dqkv + 2 * C + h * d
        throughSoftmax(dout: datt + h * d, v: v, probs: probs, dv: dv, ldDV: 3 * C, scores: scratch, tokens: T, width: C, headWidth: d)
        // S = scale Q K^T: dQ = scale dS K; dK = scale dS^T Q
        BLAS.sgemm(scratch, k, dq, m: T, n: d, k: T, alpha: scale, lda: T, ldb: 3 * C, ldc: 3 * C, parallel: false)
        BLAS.sgemm(scratch, transposeA: true, q, dk, m: T, n: d, k: T, alpha: scale, lda: T, ldb: 3 * C, ldc: 3 * C, parallel: false)
    }
}

extension Attention {
    /// Gradient of one V-V head of one sequence (`Kind.valueValue`), single-threaded: out = softmax(s V V^T) V.
    /// dValue (T,C) receives this head's dV columns (overwritten); the rest as in `backwardHead`.
    @inlinable
    public static func backwardValueValueHead(_ h: Int, dValue: UnsafeMutablePointer<Float>, datt: UnsafePointer<Float>,
                                              qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                                              tokens T: Int, width C: Int, heads H: Int) {
        let d = C / H
        let scale = 1 / Float(d).squareRoot()
        let v = qkv + 2 * C + h * d, dv = dValue + h * d
        throughSoftmax(dout: datt + h * d, v: v, probs: probs, dv: dv, ldDV: C, scores: scratch, tokens: T, width: C, headWidth: d)
        // S = scale V V^T, V on both sides: dV += scale (dS + dS^T) V
        BLAS.sgemm(scratch, v, dv, m: T, n: d, k: T, alpha: scale, beta: 1, lda: T, ldb: 3 * C, ldc: C, parallel: false)
        BLAS.sgemm(scratch, transposeA: true, v, dv, m: T, n: d, k: T, alpha: scale, beta: 1, lda: T, ldb: 3 * C, ldc: C, parallel: false)
    }
}

extension Attention {
    /// Both heads' first half: out = P V gives dV (T,d) = P^T dout into `dv` (rows `ldDV` apart), and in
    /// `scores` (T,T) the gradient at the scores, dS = P (dP - rowsum(dP P)) with dP = dout V^T.
    /// Masked entries have P = 0, so dS = 0 there too.
    @inlinable
    static func throughSoftmax(dout: UnsafePointer<Float>, v: UnsafePointer<Float>, probs: UnsafePointer<Float>, dv: UnsafeMutablePointer<Float>,
                               ldDV: Int, scores: UnsafeMutablePointer<Float>, tokens T: Int, width C: Int, headWidth d: Int) {
        BLAS.sgemm(dout, v, transposeB: true, scores, m: T, n: T, k: d, lda: C, ldb: 3 * C, ldc: T, parallel: false)
        BLAS.sgemm(probs, transposeA: true, dout, dv, m: T, n: d, k: T, lda: T, ldb: C, ldc: ldDV, parallel: false)
        for r in 0..<T {
            let p = probs + r * T, dp = scores + r * T
            var dot: Float = 0
            for c in 0..<T { dot += dp[c] * p[c] }
            for c in 0..<T { dp[c] = p[c] * (dp[c] - dot) }
        }
    }
}
