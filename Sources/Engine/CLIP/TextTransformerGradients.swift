// Reverse-mode gradients through the text tower with respect to the token embeddings that prompt
// learning replaces (context vectors, learned anomaly tokens). The weights are frozen, so only
// input gradients flow. The backward pass retraces the forward call for call, in reverse.
// Size letters: R stacked tokens of all prompts, U distinct rows among them, C width, M MLP width,
// H heads, E embedding.
//
// Rows are shared: under the causal mask a token's state depends only on the tokens up to it, so
// prompts that begin alike ("[SOT] [C1..C4] ...") have equal rows there at every layer. Row-wise
// work (layer norms, linear layers, MLP) runs once per distinct row; only attention sees every row.
import Foundation

/// What the backward pass needs from a forward pass: every block's inputs and intermediate values.
public final class TextTape {
    let sequences: [(start: Int, length: Int)]
    let prompts: [TextTransformer.Prompt]
    let rows: SharedRows
    var blockInput: [[Float]] = []     // per block (U, C)
    var qkv: [[Float]] = []            // per block (R, 3C)
    var probs: [[Float]] = []          // per block, per sequence and head (L, L), packed
    var middle: [[Float]] = []         // per block (U, C), after the attention residual
    var preActivation: [[Float]] = []  // per block (U, M)
    var finalRows: [Float] = []        // (B, C) the end-of-text rows before ln_final

    init(sequences: [(start: Int, length: Int)], prompts: [TextTransformer.Prompt], rows: SharedRows) {
        self.sequences = sequences; self.prompts = prompts; self.rows = rows
    }

    /// Offset of (sequence s, head h)'s probability matrix in a block's `probs`.
    func probsOffset(_ s: Int, _ h: Int, heads: Int) -> Int {
        var offset = 0
        for k in 0..<s { offset += heads * sequences[k].length * sequences[k].length }
        return offset + h * sequences[s].length * sequences[s].length
    }
}

/// Which stacked rows are equal: `distinct[r]` is row r's index among the U distinct rows, and
/// `first[u]` the first stacked row holding distinct row u.
struct SharedRows {
    let distinct: [Int]
    let first: [Int]
    var count: Int { first.count }

    /// Rows (s, i) and (s', i) are equal when the prompts agree, token and replacement, up to i.
    init(_ prompts: [TextTransformer.Prompt], sequences: [(start: Int, length: Int)], share: Bool) {
        var distinct = [Int](repeating: 0, count: (sequences.last.map { $0.start + $0.length }) ?? 0)
        var first: [Int] = []
        for (s, seq) in sequences.enumerated() {
            // The longest prefix shared with each earlier prompt.
            var common = [Int](repeating: 0, count: s)
            if share {
                for e in 0..<s {
                    var i = 0
                    while i < min(seq.length, sequences[e].length), prompts[s].tokens[i] == prompts[e].tokens[i],
                          prompts[s].replacements[i] == prompts[e].replacements[i] { i += 1 }
                    common[e] = i
                }
            }
            for i in 0..<seq.length {
                if let e = common.firstIndex(where: { $0 > i }) {
                    distinct[seq.start + i] = distinct[sequences[e].start + i]
                } else {
                    distinct[seq.start + i] = first.count
                    first.append(seq.start + i)
                }
            }
        }
        self.distinct = distinct; self.first = first
    }

    /// (R, width) from (U, width).
    func expand(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, width: Int) {
        for (r, u) in distinct.enumerated() { memcpy(out + r * width, x + u * width, width * 4) }
    }

    /// (U, width) from (R, width), taking each distinct row's first copy.
    func pick(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, width: Int) {
        for (u, r) in first.enumerated() { memcpy(out + u * width, x + r * width, width * 4) }
    }

    /// (U, width) = the sum over each distinct row's copies in (R, width): the gradient of an expand.
    func sum(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, width: Int) {
        memset(out, 0, count * width * 4)
        for (r, u) in distinct.enumerated() { for c in 0..<width { out[u * width + c] += x[r * width + c] } }
    }
}

extension TextTransformer {
    /// The same features as `forward`, and the tape for `backward`. `shareRows`: compute rows that
    /// equal prompts' prefixes make equal once (exact; false only to check that it is).
    public func forwardTaped(_ prompts: [Prompt], shareRows: Bool = true) throws -> (features: [[Float]], tape: TextTape) {
        let t = configuration.text
        let C = t.width, M = t.mlpWidth, H = t.heads
        let embedded = try embed(prompts)
        let sequences = embedded.sequences
        let R = sequences.last!.start + sequences.last!.length
        let shared = SharedRows(prompts, sequences: sequences, share: shareRows)
        let U = shared.count
        var x = [Float](repeating: 0, count: U * C)      // (U, C) the residual stream's distinct rows
        embedded.rows.withUnsafeBufferPointer { e in x.withUnsafeMutableBufferPointer { shared.pick(e.baseAddress!, into: $0.baseAddress!, width: C) } }
        let tape = TextTape(sequences: sequences, prompts: prompts, rows: shared)
        let probsCount = sequences.reduce(0) { $0 + H * $1.length * $1.length }
        var normed = [Float](repeating: 0, count: U * C), hidden = [Float](repeating: 0, count: U * M)
        var qkvDistinct = [Float](repeating: 0, count: U * 3 * C), attentionDistinct = [Float](repeating: 0, count: U * C)
        let noBias = [Float](repeating: 0, count: M)   // u already holds c_fc's bias; g = act(u)
        for block in blocks {
            tape.blockInput.append(x)
            var qkv = [Float](repeating: 0, count: R * 3 * C), probs = [Float](repeating: 0, count: probsCount)
            var attention = [Float](repeating: 0, count: R * C)
            normed.withUnsafeMutableBufferPointer { n in qkv.withUnsafeMutableBufferPointer { q in
            probs.withUnsafeMutableBufferPointer { p in attention.withUnsafeMutableBufferPointer { a in
            qkvDistinct.withUnsafeMutableBufferPointer { qd in attentionDistinct.withUnsafeMutableBufferPointer { ad in
            x.withUnsafeMutableBufferPointer { xs in
                LayerNorm.forward(n.baseAddress!, xs.baseAddress!, block.ln1Weight, block.ln1Bias, rows: U, cols: C)
                Linear.forward(qd.baseAddress!, n.baseAddress!, block.inProjWeight, block.inProjBias, rows: U, inFeatures: C, outFeatures: 3 * C)
                shared.expand(qd.baseAddress!, into: q.baseAddress!, width: 3 * C)
                for (s, seq) in sequences.enumerated() {
                    for h in 0..<H {
                        // The scores live in the tape, so the softmax stays there for the backward pass.
                        Attention.head(h, a.baseAddress! + seq.start * C, qkv: q.baseAddress! + seq.start * 3 * C,
                                       scores: p.baseAddress! + tape.probsOffset(s, h, heads: H), tokens: seq.length,
                                       width: C, heads: H, kind: .ordinary, causal: true)
                    }
                }
                shared.pick(a.baseAddress!, into: ad.baseAddress!, width: C)
                Linear.forward(xs.baseAddress!, ad.baseAddress!, block.outProjWeight, block.outProjBias, rows: U, inFeatures: C, outFeatures: C, accumulate: true)
            } } } } } } }
            tape.qkv.append(qkv); tape.probs.append(probs); tape.middle.append(x)
            var u = [Float](repeating: 0, count: U * M)
            normed.withUnsafeMutableBufferPointer { n in u.withUnsafeMutableBufferPointer { us in
            hidden.withUnsafeMutableBufferPointer { g in x.withUnsafeMutableBufferPointer { xs in
                LayerNorm.forward(n.baseAddress!, xs.baseAddress!, block.ln2Weight, block.ln2Bias, rows: U, cols: C)
                Linear.forward(us.baseAddress!, n.baseAddress!, block.fcWeight, block.fcBias, rows: U, inFeatures: C, outFeatures: M)
                memcpy(g.baseAddress!, us.baseAddress!, U * M * 4)
                configuration.activation.forwardAddingBias(g.baseAddress!, noBias, rows: U, cols: M)
                Linear.forward(xs.baseAddress!, g.baseAddress!, block.projWeight, block.projBias, rows: U, inFeatures: M, outFeatures: C, accumulate: true)
            } } } }
            tape.preActivation.append(u)
        }
        var last = [Float](repeating: 0, count: prompts.count * C)
        for (i, s) in sequences.enumerated() {
            let u = shared.distinct[s.start + s.length - 1]
            for c in 0..<C { last[i * C + c] = x[u * C + c] }
        }
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
        let sequences = tape.sequences, shared = tape.rows
        let R = sequences.last!.start + sequences.last!.length, U = shared.count
        // features = ln_final(last) @ projection: dnormed (B,C) = dfeatures (B,E) projection^T (E,C)
        let dnormed = BLAS.matmul(featureGradients.flatMap { $0 }, projection, m: B, n: C, k: E, transposeB: true)
        var dlast = [Float](repeating: 0, count: B * C)
        tape.finalRows.withUnsafeBufferPointer { rows in dlast.withUnsafeMutableBufferPointer { d in
            LayerNorm.backward(d.baseAddress!, dnormed, rows.baseAddress!, lnFinalWeight, rows: B, cols: C)
        } }
        var dx = [Float](repeating: 0, count: U * C)      // (U, C) gradient of the residual stream's distinct rows
        for (i, s) in sequences.enumerated() {
            let u = shared.distinct[s.start + s.length - 1]
            for c in 0..<C { dx[u * C + c] += dlast[i * C + c] }
        }
        var dh = [Float](repeating: 0, count: U * M), du = [Float](repeating: 0, count: U * M)
        var dn = [Float](repeating: 0, count: U * C)
        var dattDistinct = [Float](repeating: 0, count: U * C), dqkvDistinct = [Float](repeating: 0, count: U * 3 * C)
        var datt = [Float](repeating: 0, count: R * C), dqkv = [Float](repeating: 0, count: R * 3 * C)
        let longest = sequences.map(\.length).max()!
        var scratch = [Float](repeating: 0, count: longest * longest)
        for (b, block) in blocks.enumerated().reversed() {
            dx.withUnsafeMutableBufferPointer { dxs in dh.withUnsafeMutableBufferPointer { dhs in du.withUnsafeMutableBufferPointer { dus in
            dn.withUnsafeMutableBufferPointer { dns in
                // MLP: x += act(ln_2(x) Wfc^T + bfc) Wproj^T + bproj
                BLAS.sgemm(dxs.baseAddress!, block.projWeight, dhs.baseAddress!, m: U, n: M, k: C)       // dg = dx Wproj (U,M)
                tape.preActivation[b].withUnsafeBufferPointer { u in
                    Elementwise.activationBackward(dus.baseAddress!, dhs.baseAddress!, u.baseAddress!, count: U * M,
                                                   quick: configuration.activation == .quickGELU)
                }
                BLAS.sgemm(dus.baseAddress!, block.fcWeight, dns.baseAddress!, m: U, n: C, k: M)         // dh2 = du Wfc (U,C)
                tape.middle[b].withUnsafeBufferPointer { mid in
                    LayerNorm.backward(dxs.baseAddress!, dns.baseAddress!, mid.baseAddress!, block.ln2Weight, rows: U, cols: C)
                }
                // Attention: x += attn(ln_1(x) Win^T + bin) Wout^T + bout; the forward picked each distinct
                // row's first copy of the attention output and expanded qkv to every row.
                datt.withUnsafeMutableBufferPointer { da in dqkv.withUnsafeMutableBufferPointer { dq in
                dattDistinct.withUnsafeMutableBufferPointer { dad in dqkvDistinct.withUnsafeMutableBufferPointer { dqd in
                scratch.withUnsafeMutableBufferPointer { sc in
                tape.qkv[b].withUnsafeBufferPointer { q in tape.probs[b].withUnsafeBufferPointer { p in
                    BLAS.sgemm(dxs.baseAddress!, block.outProjWeight, dad.baseAddress!, m: U, n: C, k: C)  // datt = dx Wout (U,C)
                    memset(da.baseAddress!, 0, R * C * 4)
                    for (u, r) in shared.first.enumerated() { memcpy(da.baseAddress! + r * C, dad.baseAddress! + u * C, C * 4) }
                    for (s, seq) in sequences.enumerated() {
                        for h in 0..<H {
                            Attention.backwardHead(h, dqkv: dq.baseAddress! + seq.start * 3 * C, datt: da.baseAddress! + seq.start * C,
                                                   qkv: q.baseAddress! + seq.start * 3 * C, probs: p.baseAddress! + tape.probsOffset(s, h, heads: H),
                                                   scratch: sc.baseAddress!, tokens: seq.length, width: C, heads: H)
                        }
                    }
                    shared.sum(dq.baseAddress!, into: dqd.baseAddress!, width: 3 * C)
                    BLAS.sgemm(dqd.baseAddress!, block.inProjWeight, dns.baseAddress!, m: U, n: C, k: 3 * C) // dh1 = dqkv Win (U,C)
                } }
                tape.blockInput[b].withUnsafeBufferPointer { input in
                    LayerNorm.backward(dxs.baseAddress!, dns.baseAddress!, input.baseAddress!, block.ln1Weight, rows: U, cols: C)
                }
                } } } } }
            } } } }
        }
        // x0 = embedding + position: the gradient of a replaced embedding is dx at its row. A shared
        // row's gradient is the sum over its copies; each copy reports an equal share, so summing over
        // prompts (as PromptLearner.gradients does) gives it back.
        var copies = [Int](repeating: 0, count: U)
        for u in shared.distinct { copies[u] += 1 }
        return zip(tape.prompts, sequences).map { prompt, s in
            var out: [Int: [Float]] = [:]
            for position in prompt.replacements.keys where position < s.length {
                let u = shared.distinct[s.start + position], share = 1 / Float(copies[u])
                out[position] = dx[(u * C)..<((u + 1) * C)].map { $0 * share }
            }
            return out
        }
    }
}
