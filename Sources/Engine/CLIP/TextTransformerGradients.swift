// Reverse-mode gradients through the text tower with respect to the token embeddings that prompt
// learning replaces (context vectors, learned anomaly tokens). The weights are frozen, so only
// input gradients flow. The backward pass retraces the forward call for call, in reverse.
// Size letters: R stacked tokens of all prompts, C width, M MLP width, H heads, E embedding.
import Foundation

/// What the backward pass needs from a forward pass: every block's inputs and intermediate values.
public final class TextTape {
    let sequences: [(start: Int, length: Int)]
    let prompts: [TextTransformer.Prompt]
    var blockInput: [[Float]] = []     // per block (R, C)
    var qkv: [[Float]] = []            // per block (R, 3C)
    var probs: [[Float]] = []          // per block, per sequence and head (L, L), packed
    var attention: [[Float]] = []      // per block (R, C), before the out-projection
    var middle: [[Float]] = []         // per block (R, C), after the attention residual
    var preActivation: [[Float]] = []  // per block (R, M)
    var finalRows: [Float] = []        // (B, C) the end-of-text rows before ln_final

    init(sequences: [(start: Int, length: Int)], prompts: [TextTransformer.Prompt]) {
        self.sequences = sequences; self.prompts = prompts
    }

    /// Offset of (sequence s, head h)'s probability matrix in a block's `probs`.
    func probsOffset(_ s: Int, _ h: Int, heads: Int) -> Int {
        var offset = 0
        for k in 0..<s { offset += heads * sequences[k].length * sequences[k].length }
        return offset + h * sequences[s].length * sequences[s].length
    }
}

extension TextTransformer {
    /// The same features as `forward`, and the tape for `backward`.
    public func forwardTaped(_ prompts: [Prompt]) throws -> (features: [[Float]], tape: TextTape) {
        let t = configuration.text
        let C = t.width, M = t.mlpWidth, H = t.heads
        var x = try embed(prompts)
        let sequences = x.sequences
        let R = sequences.last!.start + sequences.last!.length
        let tape = TextTape(sequences: sequences, prompts: prompts)
        let probsCount = sequences.reduce(0) { $0 + H * $1.length * $1.length }
        var normed = [Float](repeating: 0, count: R * C), hidden = [Float](repeating: 0, count: R * M)
        let noBias = [Float](repeating: 0, count: M)   // u already holds c_fc's bias; g = act(u)
        for block in blocks {
            tape.blockInput.append(x.rows)
            var qkv = [Float](repeating: 0, count: R * 3 * C), probs = [Float](repeating: 0, count: probsCount)
            var attention = [Float](repeating: 0, count: R * C)
            normed.withUnsafeMutableBufferPointer { n in qkv.withUnsafeMutableBufferPointer { q in
            probs.withUnsafeMutableBufferPointer { p in attention.withUnsafeMutableBufferPointer { a in
            x.rows.withUnsafeMutableBufferPointer { xs in
                LayerNorm.forward(n.baseAddress!, xs.baseAddress!, block.ln1Weight, block.ln1Bias, rows: R, cols: C)
                Linear.forward(q.baseAddress!, n.baseAddress!, block.inProjWeight, block.inProjBias, rows: R, inFeatures: C, outFeatures: 3 * C)
                for (s, seq) in sequences.enumerated() {
                    for h in 0..<H {
                        // The scores live in the tape, so the softmax stays there for the backward pass.
                        Attention.head(h, a.baseAddress! + seq.start * C, qkv: q.baseAddress! + seq.start * 3 * C,
                                       scores: p.baseAddress! + tape.probsOffset(s, h, heads: H), tokens: seq.length,
                                       width: C, heads: H, kind: .ordinary, causal: true)
                    }
                }
                Linear.forward(xs.baseAddress!, a.baseAddress!, block.outProjWeight, block.outProjBias, rows: R, inFeatures: C, outFeatures: C, accumulate: true)
            } } } } }
            tape.qkv.append(qkv); tape.probs.append(probs); tape.attention.append(attention); tape.middle.append(x.rows)
            var u = [Float](repeating: 0, count: R * M)
            normed.withUnsafeMutableBufferPointer { n in u.withUnsafeMutableBufferPointer { us in
            hidden.withUnsafeMutableBufferPointer { g in x.rows.withUnsafeMutableBufferPointer { xs in
                LayerNorm.forward(n.baseAddress!, xs.baseAddress!, block.ln2Weight, block.ln2Bias, rows: R, cols: C)
                Linear.forward(us.baseAddress!, n.baseAddress!, block.fcWeight, block.fcBias, rows: R, inFeatures: C, outFeatures: M)
                memcpy(g.baseAddress!, us.baseAddress!, R * M * 4)
                configuration.activation.forwardAddingBias(g.baseAddress!, noBias, rows: R, cols: M)
                Linear.forward(xs.baseAddress!, g.baseAddress!, block.projWeight, block.projBias, rows: R, inFeatures: M, outFeatures: C, accumulate: true)
            } } } }
            tape.preActivation.append(u)
        }
        var last = [Float](repeating: 0, count: prompts.count * C)
        for (i, s) in sequences.enumerated() { for c in 0..<C { last[i * C + c] = x.rows[(s.start + s.length - 1) * C + c] } }
        tape.finalRows = last
        last.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, lnFinalWeight, lnFinalBias, rows: prompts.count, cols: C) }
        let E = configuration.embedDimension
        let features = BLAS.matmul(last, projection, m: prompts.count, n: E, k: C)
        return ((0..<prompts.count).map { Array(features[($0 * E)..<(($0 + 1) * E)]) }, tape)
    }

    /// Gradients of a loss with respect to each prompt's replaced embeddings, given the loss's
    /// gradient with respect to each prompt's feature (E). Returns, per prompt, position -> (C).
    public func backward(_ tape: TextTape, featureGradients: [[Float]]) -> [[Int: [Float]]] {
        let t = configuration.text
        let C = t.width, M = t.mlpWidth, H = t.heads, E = configuration.embedDimension, B = tape.prompts.count
        precondition(featureGradients.count == B && featureGradients.allSatisfy { $0.count == E }, "backward: one (E) gradient per prompt")
        let sequences = tape.sequences
        let R = sequences.last!.start + sequences.last!.length
        // features = ln_final(last) @ projection: dnormed (B,C) = dfeatures (B,E) projection^T (E,C)
        let dnormed = BLAS.matmul(featureGradients.flatMap { $0 }, projection, m: B, n: C, k: E, transposeB: true)
        var dlast = [Float](repeating: 0, count: B * C)
        tape.finalRows.withUnsafeBufferPointer { rows in dlast.withUnsafeMutableBufferPointer { d in
            LayerNorm.backward(d.baseAddress!, dnormed, rows.baseAddress!, lnFinalWeight, rows: B, cols: C)
        } }
        var dx = [Float](repeating: 0, count: R * C)      // (R, C) gradient of the residual stream
        for (i, s) in sequences.enumerated() { for c in 0..<C { dx[(s.start + s.length - 1) * C + c] = dlast[i * C + c] } }
        var dh = [Float](repeating: 0, count: R * M), du = [Float](repeating: 0, count: R * M)
        var dn = [Float](repeating: 0, count: R * C)
        var datt = [Float](repeating: 0, count: R * C), dqkv = [Float](repeating: 0, count: R * 3 * C)
        let longest = sequences.map(\.length).max()!
        var scratch = [Float](repeating: 0, count: longest * longest)
        for (b, block) in blocks.enumerated().reversed() {
            dx.withUnsafeMutableBufferPointer { dxs in dh.withUnsafeMutableBufferPointer { dhs in du.withUnsafeMutableBufferPointer { dus in
            dn.withUnsafeMutableBufferPointer { dns in
                // MLP: x += act(ln_2(x) Wfc^T + bfc) Wproj^T + bproj
                BLAS.sgemm(dxs.baseAddress!, block.projWeight, dhs.baseAddress!, m: R, n: M, k: C)       // dg = dx Wproj (R,M)
                tape.preActivation[b].withUnsafeBufferPointer { u in
                    Elementwise.activationBackward(dus.baseAddress!, dhs.baseAddress!, u.baseAddress!, count: R * M,
                                                   quick: configuration.activation == .quickGELU)
                }
                BLAS.sgemm(dus.baseAddress!, block.fcWeight, dns.baseAddress!, m: R, n: C, k: M)         // dh2 = du Wfc (R,C)
                tape.middle[b].withUnsafeBufferPointer { mid in
                    LayerNorm.backward(dxs.baseAddress!, dns.baseAddress!, mid.baseAddress!, block.ln2Weight, rows: R, cols: C)
                }
                // Attention: x += attn(ln_1(x) Win^T + bin) Wout^T + bout
                datt.withUnsafeMutableBufferPointer { da in dqkv.withUnsafeMutableBufferPointer { dq in
                scratch.withUnsafeMutableBufferPointer { sc in
                tape.qkv[b].withUnsafeBufferPointer { q in tape.probs[b].withUnsafeBufferPointer { p in
                    BLAS.sgemm(dxs.baseAddress!, block.outProjWeight, da.baseAddress!, m: R, n: C, k: C)  // datt = dx Wout
                    for (s, seq) in sequences.enumerated() {
                        for h in 0..<H {
                            Attention.backwardHead(h, dqkv: dq.baseAddress! + seq.start * 3 * C, datt: da.baseAddress! + seq.start * C,
                                                   qkv: q.baseAddress! + seq.start * 3 * C, probs: p.baseAddress! + tape.probsOffset(s, h, heads: H),
                                                   scratch: sc.baseAddress!, tokens: seq.length, width: C, heads: H)
                        }
                    }
                    BLAS.sgemm(dq.baseAddress!, block.inProjWeight, dns.baseAddress!, m: R, n: C, k: 3 * C) // dh1 = dqkv Win
                } }
                tape.blockInput[b].withUnsafeBufferPointer { input in
                    LayerNorm.backward(dxs.baseAddress!, dns.baseAddress!, input.baseAddress!, block.ln1Weight, rows: R, cols: C)
                }
                } } }
            } } } }
        }
        // x0 = embedding + position: the gradient of a replaced embedding is dx at its row.
        return zip(tape.prompts, sequences).map { prompt, s in
            var out: [Int: [Float]] = [:]
            for position in prompt.replacements.keys where position < s.length {
                out[position] = Array(dx[((s.start + position) * C)..<((s.start + position + 1) * C)])
            }
            return out
        }
    }
}
