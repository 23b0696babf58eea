// One pre-norm transformer block, OpenCLIP's ResidualAttentionBlock: x += attn(ln_1(x)); x += mlp(ln_2(x)).
// The one block both towers run, for inference and for training: the forward pass keeps a tape when
// asked, carries PromptAD's V-V surgery stream when given one, and can stop at each sequence's first
// row; the backward pass retraces it. Size letters: U residual rows, R stacked rows, C width, M MLP width, H heads.
import Foundation

struct TransformerBlock {
    let width: Int, heads: Int, mlpWidth: Int
    let activation: Activation
    let causal: Bool

    /// x (U, C) in place. `valueValue` (R, C): the V-V stream, vv += VV-attn(ln_1(x)) W_out^T + b_out, from the same ln_1(x).
    /// `tape`: keeps what `backward` needs. `firstRowsOnly`: after this block only each sequence's first row is read
    /// (the class token after the last block): keys and values need every row, the rest only the first; x's other rows stay as they came.
    func forward(_ x: UnsafeMutablePointer<Float>, valueValue vv: UnsafeMutablePointer<Float>? = nil, _ w: BlockWeights,
                 layout: TokenLayout, buffers: BlockBuffers, tape: BlockTape? = nil, firstRowsOnly: Bool = false) {
        let C = width, U = layout.rows, R = layout.stackedRows, B = layout.sequences.count
        precondition(vv == nil || layout.shared == nil, "the V-V stream runs on unshared rows")
        precondition(!firstRowsOnly || (tape == nil && vv == nil && layout.shared == nil), "first rows only: inference, ordinary stream")
        buffers.prepare(self, layout)
        tape?.prepare(self, layout, valueValue: vv != nil)
        tape?.input.copy(from: x, count: U * C)
        // qkv (R, 3C) = ln_1(x) W_in^T + b_in, computed on the distinct rows
        let normed = tape?.normed1.pointer ?? buffers.normed.pointer
        LayerNorm.forward(normed, x, w.ln1Weight, w.ln1Bias, rows: U, cols: C)
        let qkv = tape?.qkv.pointer ?? buffers.qkv.pointer
        if let shared = layout.shared {
            Linear.forward(buffers.qkvDistinct.pointer, normed, w.inProjWeight, w.inProjBias, rows: U, inFeatures: C, outFeatures: 3 * C)
            shared.expand(buffers.qkvDistinct.pointer, into: qkv, width: 3 * C)
        } else {
            Linear.forward(qkv, normed, w.inProjWeight, w.inProjBias, rows: R, inFeatures: C, outFeatures: 3 * C)
        }
        // attention (n, C) for the rows that go on: all U, or the first row of each sequence
        let attention: UnsafeMutablePointer<Float>, target: UnsafeMutablePointer<Float>, n: Int
        if firstRowsOnly {
            attention = buffers.attention.pointer; target = buffers.firstRows.pointer; n = B
            attend(.ordinary, qkv: qkv, into: attention, layout: layout, probs: nil, scratch: buffers.scores.pointer, firstRowsOnly: true)
            for (b, s) in layout.sequences.enumerated() { memcpy(target + b * C, x + s.start * C, C * 4) }
        } else if let shared = layout.shared {
            attend(.ordinary, qkv: qkv, into: buffers.attention.pointer, layout: layout, probs: tape?.probs.pointer, scratch: buffers.scores.pointer)
            attention = tape?.attention.pointer ?? buffers.attentionDistinct.pointer; target = x; n = U
            shared.pick(buffers.attention.pointer, into: attention, width: C)
        } else {
            attention = tape?.attention.pointer ?? buffers.attention.pointer; target = x; n = U
            attend(.ordinary, qkv: qkv, into: attention, layout: layout, probs: tape?.probs.pointer, scratch: buffers.scores.pointer)
        }
        Linear.forward(target, attention, w.outProjWeight, w.outProjBias, rows: n, inFeatures: C, outFeatures: C, accumulate: true)
        if let vv {
            // The V-V stream: the same qkv, V on both sides, the same out-projection (docs/method-notes.md section 2).
            let a = tape?.valueValueAttention.pointer ?? buffers.attention.pointer
            attend(.valueValue, qkv: qkv, into: a, layout: layout, probs: tape?.valueValueProbs.pointer, scratch: buffers.scores.pointer)
            Linear.forward(vv, a, w.outProjWeight, w.outProjBias, rows: R, inFeatures: C, outFeatures: C, accumulate: true)
        }
        mlpForward(target, rows: n, w, buffers: buffers, tape: tape)
        if firstRowsOnly { for (b, s) in layout.sequences.enumerated() { memcpy(x + s.start * C, target + b * C, C * 4) } }
    }

    /// x (n, C) += act(ln_2(x) W_fc^T + b_fc) W_proj^T + b_proj.
    func mlpForward(_ x: UnsafeMutablePointer<Float>, rows n: Int, _ w: BlockWeights, buffers: BlockBuffers, tape: BlockTape?) {
        let C = width, M = mlpWidth
        tape?.middle.copy(from: x, count: n * C)
        let normed = tape?.normed2.pointer ?? buffers.normed.pointer
        LayerNorm.forward(normed, x, w.ln2Weight, w.ln2Bias, rows: n, cols: C)
        let hidden: UnsafeMutablePointer<Float>
        if let tape {
            // The pre-activation is kept for the backward pass.
            Linear.forward(tape.pre.pointer, normed, w.fcWeight, w.fcBias, rows: n, inFeatures: C, outFeatures: M)
            activation.forward(tape.hidden.pointer, tape.pre.pointer, count: n * M)
            hidden = tape.hidden.pointer
        } else {
            hidden = buffers.hidden.pointer
            BLAS.sgemm(normed, w.fcWeight, transposeB: true, hidden, m: n, n: M, k: C)
            activation.forwardAddingBias(hidden, w.fcBias, rows: n, cols: M)
        }
        Linear.forward(x, hidden, w.projWeight, w.projBias, rows: n, inFeatures: M, outFeatures: C, accumulate: true)
    }

    /// Every (sequence, head) pair's attention of `kind` on the cores: out (R, C) from qkv (R, 3C). `probs`: where each
    /// softmax is kept (the tape), else each core's own `scratch`. With `firstRowsOnly`, out row b is sequence b's first row.
    func attend(_ kind: Attention.Kind, qkv: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, layout: TokenLayout,
                probs: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>, firstRowsOnly: Bool = false) {
        let C = width, H = heads, L = layout.longest
        Parallel.workers(layout.sequences.count * H) { worker, range in
            for pair in range {
                let s = pair / H, h = pair % H, seq = layout.sequences[s]
                let scores = probs.map { $0 + layout.probsOffsets[s] + h * seq.length * seq.length } ?? scratch + worker * L * L
                Attention.head(h, out + (firstRowsOnly ? s : seq.start) * C, qkv: qkv + seq.start * 3 * C, scores: scores,
                               tokens: seq.length, width: C, heads: H, kind: kind, causal: kind == .ordinary && causal,
                               queries: firstRowsOnly ? 1 : nil)
            }
        }
    }
}

extension TransformerBlock {
    /// dx (U, C): the gradient at the block's output in, at its input out. `valueValue` (R, C): the gradient at the V-V
    /// stream, when the forward pass carried it (the same after every block, which only adds to it). Weight gradients are
    /// added to `g`; with `g` nil (frozen weights, as in prompt learning) only the input gradient is computed.
    func backward(_ dx: UnsafeMutablePointer<Float>, valueValue dvv: UnsafePointer<Float>? = nil, _ tape: BlockTape, _ w: BlockWeights,
                  into g: inout BlockGradients?, layout: TokenLayout, buffers: BlockBuffers) {
        let C = width, M = mlpWidth, U = layout.rows, R = layout.stackedRows
        buffers.prepare(self, layout, backward: true)
        let dHidden = buffers.dHidden.pointer, dPre = buffers.dPre.pointer, dNormed = buffers.dNormed.pointer
        // A weight's and its bias's gradient buffers, or nil for frozen weights (swapped out of `g` while in use: no copy).
        func gradients(_ a: TensorRole.BlockTensor, _ b: TensorRole.BlockTensor,
                       _ body: (UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?) -> Void) {
            guard g != nil else { body(nil, nil); return }
            var da: [Float] = [], db: [Float] = []
            swap(&da, &g![keyPath: BlockWeights.path(a)]); swap(&db, &g![keyPath: BlockWeights.path(b)])
            da.withUnsafeMutableBufferPointer { pa in db.withUnsafeMutableBufferPointer { pb in body(pa.baseAddress!, pb.baseAddress!) } }
            swap(&da, &g![keyPath: BlockWeights.path(a)]); swap(&db, &g![keyPath: BlockWeights.path(b)])
        }
        func linear(_ dinp: UnsafeMutablePointer<Float>, _ dout: UnsafePointer<Float>, _ inp: UnsafePointer<Float>, _ weight: [Float],
                    _ part: TensorRole.BlockTensor, _ biasPart: TensorRole.BlockTensor, rows: Int, inFeatures: Int, outFeatures: Int) {
            gradients(part, biasPart) { dw, db in
                Linear.backward(dinp: dinp, dweight: dw, dbias: db, dout: dout, inp: inp, weight: weight,
                                rows: rows, inFeatures: inFeatures, outFeatures: outFeatures)
            }
        }
        func layerNorm(_ dnormed: UnsafePointer<Float>, _ inp: UnsafePointer<Float>, _ weight: [Float], _ part: TensorRole.BlockTensor,
                       _ biasPart: TensorRole.BlockTensor) {
            gradients(part, biasPart) { dw, db in
                if let dw, let db { LayerNorm.parameterGradients(dw, db, dnormed, inp, rows: U, cols: C) }
            }
            LayerNorm.backward(dx, dnormed, inp, weight, rows: U, cols: C)
        }
        // MLP: x += act(ln_2(x) W_fc^T + b_fc) W_proj^T + b_proj
        linear(dHidden, dx, tape.hidden.pointer, w.projWeight, .projWeight, .projBias, rows: U, inFeatures: M, outFeatures: C)
        activation.backward(dPre, dHidden, tape.pre.pointer, count: U * M)
        linear(dNormed, dPre, tape.normed2.pointer, w.fcWeight, .fcWeight, .fcBias, rows: U, inFeatures: C, outFeatures: M)
        layerNorm(dNormed, tape.middle.pointer, w.ln2Weight, .ln2Weight, .ln2Bias)
        // Attention: x += attn(ln_1(x) W_in^T + b_in) W_out^T + b_out; the forward pass expanded qkv to every
        // stacked row and picked each distinct row's first copy of the attention output.
        let dqkv = buffers.dqkv.pointer, dAttention = buffers.dAttention.pointer
        if let shared = layout.shared {
            linear(buffers.dAttentionDistinct.pointer, dx, tape.attention.pointer, w.outProjWeight, .outProjWeight, .outProjBias,
                   rows: U, inFeatures: C, outFeatures: C)
            shared.unpick(buffers.dAttentionDistinct.pointer, into: dAttention, width: C)
        } else {
            linear(dAttention, dx, tape.attention.pointer, w.outProjWeight, .outProjWeight, .outProjBias, rows: U, inFeatures: C, outFeatures: C)
        }
        attendBackward(.ordinary, dqkv: dqkv, datt: dAttention, tape: tape, layout: layout, buffers: buffers)
        if let dvv {
            // The V-V stream's share: through the same out-projection, then its dV into dqkv's V columns.
            linear(dAttention, dvv, tape.valueValueAttention.pointer, w.outProjWeight, .outProjWeight, .outProjBias, rows: R, inFeatures: C, outFeatures: C)
            attendBackward(.valueValue, dqkv: buffers.dValue.pointer, datt: dAttention, tape: tape, layout: layout, buffers: buffers)
            let dv = buffers.dValue.pointer
            for r in 0..<R {
                let target = dqkv + r * 3 * C + 2 * C, source = dv + r * C
                for c in 0..<C { target[c] += source[c] }
            }
        }
        var dqkvRows = UnsafePointer(dqkv)
        if let shared = layout.shared {
            shared.sum(dqkv, into: buffers.dqkvDistinct.pointer, width: 3 * C)
            dqkvRows = UnsafePointer(buffers.dqkvDistinct.pointer)
        }
        linear(dNormed, dqkvRows, tape.normed1.pointer, w.inProjWeight, .inProjWeight, .inProjBias, rows: U, inFeatures: C, outFeatures: 3 * C)
        layerNorm(dNormed, tape.input.pointer, w.ln1Weight, .ln1Weight, .ln1Bias)
    }

    /// Every (sequence, head) pair's attention gradient on the cores. Ordinary: dQ | dK | dV into dqkv (R, 3C), each head's
    /// columns overwritten. V-V: dV into `dqkv` read as (R, C), overwritten.
    func attendBackward(_ kind: Attention.Kind, dqkv: UnsafeMutablePointer<Float>, datt: UnsafePointer<Float>, tape: BlockTape,
                        layout: TokenLayout, buffers: BlockBuffers) {
        let C = width, H = heads, L = layout.longest
        let qkv = tape.qkv.pointer, probs = kind == .ordinary ? tape.probs.pointer : tape.valueValueProbs.pointer
        let scratch = buffers.scores.pointer
        Parallel.workers(layout.sequences.count * H) { worker, range in
            for pair in range {
                let s = pair / H, h = pair % H, seq = layout.sequences[s]
                let p = probs + layout.probsOffsets[s] + h * seq.length * seq.length, sc = scratch + worker * L * L
                switch kind {
                case .ordinary:
                    Attention.backwardHead(h, dqkv: dqkv + seq.start * 3 * C, datt: datt + seq.start * C, qkv: qkv + seq.start * 3 * C,
                                           probs: p, scratch: sc, tokens: seq.length, width: C, heads: H)
                case .valueValue:
                    Attention.backwardValueValueHead(h, dValue: dqkv + seq.start * C, datt: datt + seq.start * C, qkv: qkv + seq.start * 3 * C,
                                                     probs: p, scratch: sc, tokens: seq.length, width: C, heads: H)
                }
            }
        }
    }
}
