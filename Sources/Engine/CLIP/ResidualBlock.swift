// One pre-norm transformer block (OpenCLIP's ResidualAttentionBlock) over a ragged batch: the rows
// of several sequences stacked, linear layers over all rows at once, attention per sequence.
import Foundation

struct BlockWeights {
    var ln1Weight, ln1Bias, inProjWeight, inProjBias, outProjWeight, outProjBias: [Float]
    var ln2Weight, ln2Bias, fcWeight, fcBias, projWeight, projBias: [Float]

    init(_ weights: CLIPWeights, _ tower: TensorRole.Tower, _ i: Int) {
        func t(_ part: TensorRole.BlockTensor) -> [Float] { weights.tensor(.block(tower, i, part)) }
        ln1Weight = t(.ln1Weight); ln1Bias = t(.ln1Bias); inProjWeight = t(.inProjWeight); inProjBias = t(.inProjBias)
        outProjWeight = t(.outProjWeight); outProjBias = t(.outProjBias); ln2Weight = t(.ln2Weight); ln2Bias = t(.ln2Bias)
        fcWeight = t(.fcWeight); fcBias = t(.fcBias); projWeight = t(.projWeight); projBias = t(.projBias)
    }
}

/// Scratch buffers for a block's forward pass, sized for `rows` stacked tokens; reused across blocks.
final class BlockWorkspace {
    var normed: [Float]      // (R, C)
    var qkv: [Float]         // (R, 3C)
    var attention: [Float]   // (R, C)
    var hidden: [Float]      // (R, M)
    var scores: [Float]      // (cores, T, T): one score matrix per core, for the longest sequence
    let longest: Int

    init(rows: Int, width: Int, mlpWidth: Int, longest: Int) {
        normed = [Float](repeating: 0, count: rows * width)
        qkv = [Float](repeating: 0, count: rows * 3 * width)
        attention = [Float](repeating: 0, count: rows * width)
        hidden = [Float](repeating: 0, count: rows * mlpWidth)
        scores = [Float](repeating: 0, count: Parallel.cores * longest * longest)
        self.longest = longest
    }
}

enum ResidualBlock {
    /// x (R,C) += attn(ln_1(x)); x += mlp(ln_2(x)). `sequences` are the (start row, length) of each sequence.
    /// With `valueValue` (the vision surgery), vv (R,C) += V-V attention computed from the same ln_1(x).
    static func forward(_ x: UnsafeMutablePointer<Float>, valueValue vv: UnsafeMutablePointer<Float>?,
                        weights w: BlockWeights, workspace ws: BlockWorkspace, sequences: [(start: Int, length: Int)],
                        width C: Int, heads: Int, mlpWidth M: Int, activation: Activation, causal: Bool) {
        let R = sequences.reduce(0) { $0 + $1.length }
        ws.normed.withUnsafeMutableBufferPointer { normed in
        ws.qkv.withUnsafeMutableBufferPointer { qkv in
        ws.attention.withUnsafeMutableBufferPointer { attention in
        ws.hidden.withUnsafeMutableBufferPointer { hidden in
        ws.scores.withUnsafeMutableBufferPointer { scores in
            LayerNorm.forward(normed.baseAddress!, x, w.ln1Weight, w.ln1Bias, rows: R, cols: C)
            Linear.forward(qkv.baseAddress!, normed.baseAddress!, w.inProjWeight, w.inProjBias, rows: R, inFeatures: C, outFeatures: 3 * C)
            let kinds: [(Attention.Kind, UnsafeMutablePointer<Float>)] = [(.ordinary, x)] + (vv.map { [(.valueValue, $0)] } ?? [])
            for (kind, stream) in kinds {
                // (sequence, head) pairs spread over the cores, each with its own score matrix.
                let pairs = sequences.count * heads
                Parallel.workers(pairs) { worker, range in
                    for pair in range {
                        let s = sequences[pair / heads]
                        Attention.head(pair % heads, attention.baseAddress! + s.start * C, qkv: qkv.baseAddress! + s.start * 3 * C,
                                       scores: scores.baseAddress! + worker * ws.longest * ws.longest, tokens: s.length,
                                       width: C, heads: heads, kind: kind, causal: causal)
                    }
                }
                // stream += attention W_out^T + b_out (the same out-projection for both streams)
                Linear.forward(stream, attention.baseAddress!, w.outProjWeight, w.outProjBias, rows: R, inFeatures: C, outFeatures: C, accumulate: true)
            }
            LayerNorm.forward(normed.baseAddress!, x, w.ln2Weight, w.ln2Bias, rows: R, cols: C)
            BLAS.sgemm(normed.baseAddress!, w.fcWeight, transposeB: true, hidden.baseAddress!, m: R, n: M, k: C)
            activation.forwardAddingBias(hidden.baseAddress!, w.fcBias, rows: R, cols: M)
            Linear.forward(x, hidden.baseAddress!, w.projWeight, w.projBias, rows: R, inFeatures: M, outFeatures: C, accumulate: true)
        } } } } }
    }
}

extension ResidualBlock {
    /// The last block when only the class tokens are read (the pooled embedding, no surgery, no tap
    /// there): keys and values need every row, but the attention output, out-projection and MLP only
    /// the first row of each sequence. Exact; x's other rows are left as they came in.
    static func forwardFirstRows(_ x: UnsafeMutablePointer<Float>, weights w: BlockWeights, workspace ws: BlockWorkspace,
                                 sequences: [(start: Int, length: Int)], width C: Int, heads: Int, mlpWidth M: Int, activation: Activation) {
        let R = sequences.reduce(0) { $0 + $1.length }, B = sequences.count, d = C / heads
        let scale = 1 / Float(d).squareRoot()
        var first = [Float](repeating: 0, count: B * C)           // (B, C) the class rows of x
        ws.normed.withUnsafeMutableBufferPointer { normed in
        ws.qkv.withUnsafeMutableBufferPointer { qkv in
        ws.attention.withUnsafeMutableBufferPointer { attention in
        ws.hidden.withUnsafeMutableBufferPointer { hidden in
        ws.scores.withUnsafeMutableBufferPointer { scores in
        first.withUnsafeMutableBufferPointer { rows in
            LayerNorm.forward(normed.baseAddress!, x, w.ln1Weight, w.ln1Bias, rows: R, cols: C)
            Linear.forward(qkv.baseAddress!, normed.baseAddress!, w.inProjWeight, w.inProjBias, rows: R, inFeatures: C, outFeatures: 3 * C)
            Parallel.workers(B * heads) { worker, range in
                for pair in range {
                    let b = pair / heads, h = pair % heads, s = sequences[b]
                    let base = qkv.baseAddress! + s.start * 3 * C
                    let p = scores.baseAddress! + worker * ws.longest * ws.longest
                    // (1, T) = q_0 K^T scaled, softmax, (1, d) = p V
                    BLAS.sgemm(base + h * d, base + C + h * d, transposeB: true, p, m: 1, n: s.length, k: d, alpha: scale,
                               lda: 3 * C, ldb: 3 * C, ldc: s.length, parallel: false)
                    Elementwise.softmaxRows(p, rows: 1, cols: s.length, causal: false)
                    BLAS.sgemm(p, base + 2 * C + h * d, attention.baseAddress! + b * C + h * d, m: 1, n: d, k: s.length,
                               ldb: 3 * C, ldc: C, parallel: false)
                }
            }
            for (b, s) in sequences.enumerated() { memcpy(rows.baseAddress! + b * C, x + s.start * C, C * 4) }
            Linear.forward(rows.baseAddress!, attention.baseAddress!, w.outProjWeight, w.outProjBias, rows: B, inFeatures: C, outFeatures: C, accumulate: true)
            LayerNorm.forward(normed.baseAddress!, rows.baseAddress!, w.ln2Weight, w.ln2Bias, rows: B, cols: C)
            BLAS.sgemm(normed.baseAddress!, w.fcWeight, transposeB: true, hidden.baseAddress!, m: B, n: M, k: C)
            activation.forwardAddingBias(hidden.baseAddress!, w.fcBias, rows: B, cols: M)
            Linear.forward(rows.baseAddress!, hidden.baseAddress!, w.projWeight, w.projBias, rows: B, inFeatures: M, outFeatures: C, accumulate: true)
            for (b, s) in sequences.enumerated() { memcpy(x + s.start * C, rows.baseAddress! + b * C, C * 4) }
        } } } } } }
    }
}
