// One transformer block for training: the forward pass keeps what the backward pass needs, and the
// backward pass gives the input gradient and every weight's gradient. Same arithmetic as
// ResidualBlock.forward, the V-V surgery stream included when the dense term reads it.
// Size letters: R stacked rows, C width, M MLP width, H heads.
import Foundation

/// A block's parameters or their gradients, in BlockWeights' layout.
typealias BlockGradients = BlockWeights

extension BlockWeights {
    init(_ tensor: (TensorRole.BlockTensor) -> [Float]) {
        ln1Weight = tensor(.ln1Weight); ln1Bias = tensor(.ln1Bias); inProjWeight = tensor(.inProjWeight); inProjBias = tensor(.inProjBias)
        outProjWeight = tensor(.outProjWeight); outProjBias = tensor(.outProjBias); ln2Weight = tensor(.ln2Weight); ln2Bias = tensor(.ln2Bias)
        fcWeight = tensor(.fcWeight); fcBias = tensor(.fcBias); projWeight = tensor(.projWeight); projBias = tensor(.projBias)
    }

    static func zeros(width C: Int, mlpWidth M: Int) -> BlockWeights {
        BlockWeights { part in
            switch part {
            case .ln1Weight, .ln1Bias, .ln2Weight, .ln2Bias, .outProjBias, .projBias: return [Float](repeating: 0, count: C)
            case .inProjWeight: return [Float](repeating: 0, count: 3 * C * C)
            case .inProjBias: return [Float](repeating: 0, count: 3 * C)
            case .outProjWeight: return [Float](repeating: 0, count: C * C)
            case .fcWeight, .projWeight: return [Float](repeating: 0, count: M * C)
            case .fcBias: return [Float](repeating: 0, count: M)
            }
        }
    }

    func tensor(_ part: TensorRole.BlockTensor) -> [Float] {
        switch part {
        case .ln1Weight: return ln1Weight
        case .ln1Bias: return ln1Bias
        case .inProjWeight: return inProjWeight
        case .inProjBias: return inProjBias
        case .outProjWeight: return outProjWeight
        case .outProjBias: return outProjBias
        case .ln2Weight: return ln2Weight
        case .ln2Bias: return ln2Bias
        case .fcWeight: return fcWeight
        case .fcBias: return fcBias
        case .projWeight: return projWeight
        case .projBias: return projBias
        }
    }
}

/// What one block's forward pass keeps for its backward pass.
final class BlockTape {
    var input: [Float] = []      // (R, C)
    var normed1: [Float] = []    // (R, C)
    var qkv: [Float] = []        // (R, 3C)
    var probs: [Float] = []      // per sequence and head (L, L), packed
    var attention: [Float] = []  // (R, C)
    var middle: [Float] = []     // (R, C)
    var normed2: [Float] = []    // (R, C)
    var pre: [Float] = []        // (R, M) before the activation
    var hidden: [Float] = []     // (R, M) after it
    var valueValueProbs: [Float] = []      // V-V stream: per sequence and head (L, L), packed
    var valueValueAttention: [Float] = []  // (R, C) V-V attention before the out-projection

    /// Sizes the buffers for R rows; they are kept from step to step (a step's tapes run to hundreds of MB).
    func prepare(rows R: Int, width C: Int, mlpWidth M: Int, probs: Int) {
        func size(_ x: inout [Float], _ n: Int) { if x.count != n { x = [Float](repeating: 0, count: n) } }
        size(&input, R * C); size(&normed1, R * C); size(&qkv, R * 3 * C); size(&self.probs, probs); size(&attention, R * C)
        size(&middle, R * C); size(&normed2, R * C); size(&pre, R * M); size(&hidden, R * M)
    }
}

/// The backward pass's scratch, shared by the blocks of a tower (they run one after another).
final class BlockScratch {
    var dHidden: [Float] = [], dPre: [Float] = [], dNormed: [Float] = [], dAttention: [Float] = [], dqkv: [Float] = [], scores: [Float] = []
    var dValue: [Float] = []     // (R, C) the V-V stream's gradient at V

    func prepare(rows R: Int, width C: Int, mlpWidth M: Int, longest: Int) {
        func size(_ x: inout [Float], _ n: Int) { if x.count != n { x = [Float](repeating: 0, count: n) } }
        size(&dHidden, R * M); size(&dPre, R * M); size(&dNormed, R * C); size(&dAttention, R * C); size(&dqkv, R * 3 * C)
        size(&scores, Parallel.cores * longest * longest); size(&dValue, R * C)
    }
}

struct TrainableBlock {
    let width: Int, heads: Int, mlpWidth: Int
    let activation: Activation
    let causal: Bool
    let sequences: [(start: Int, length: Int)]
    var rows: Int { sequences.reduce(0) { $0 + $1.length } }

    func probsOffsets() -> [Int] {
        var offsets: [Int] = [], offset = 0
        for s in sequences { offsets.append(offset); offset += heads * s.length * s.length }
        offsets.append(offset)
        return offsets
    }

    /// Every (sequence, head) pair's attention of `kind` on the cores: a (R, C) from qkv (R, 3C), each softmax kept in `probs`.
    func attend(_ kind: Attention.Kind, qkv: UnsafePointer<Float>, probs: UnsafeMutablePointer<Float>, into a: UnsafeMutablePointer<Float>, offsets: [Int]) {
        let C = width, H = heads
        Parallel.workers(sequences.count * H) { _, range in
            for pair in range {
                let s = pair / H, h = pair % H, seq = sequences[s]
                Attention.head(h, a + seq.start * C, qkv: qkv + seq.start * 3 * C, scores: probs + offsets[s] + h * seq.length * seq.length,
                               tokens: seq.length, width: C, heads: H, kind: kind, causal: kind == .ordinary && causal)
            }
        }
    }

    /// x (R, C) in place: x += attn(ln_1(x)); x += mlp(ln_2(x)).
    func forward(_ x: inout [Float], _ w: BlockWeights, tape: BlockTape = BlockTape()) -> BlockTape {
        let C = width, M = mlpWidth, R = rows
        let offsets = probsOffsets()
        tape.prepare(rows: R, width: C, mlpWidth: M, probs: offsets.last!)
        tape.input.withUnsafeMutableBufferPointer { t in x.withUnsafeBufferPointer { _ = memcpy(t.baseAddress!, $0.baseAddress!, R * C * 4) } }
        tape.normed1.withUnsafeMutableBufferPointer { n in tape.qkv.withUnsafeMutableBufferPointer { q in
        tape.probs.withUnsafeMutableBufferPointer { p in tape.attention.withUnsafeMutableBufferPointer { a in
        x.withUnsafeMutableBufferPointer { xs in
            LayerNorm.forward(n.baseAddress!, xs.baseAddress!, w.ln1Weight, w.ln1Bias, rows: R, cols: C)
            Linear.forward(q.baseAddress!, n.baseAddress!, w.inProjWeight, w.inProjBias, rows: R, inFeatures: C, outFeatures: 3 * C)
            attend(.ordinary, qkv: q.baseAddress!, probs: p.baseAddress!, into: a.baseAddress!, offsets: offsets)
            Linear.forward(xs.baseAddress!, a.baseAddress!, w.outProjWeight, w.outProjBias, rows: R, inFeatures: C, outFeatures: C, accumulate: true)
        } } } } }
        tape.middle.withUnsafeMutableBufferPointer { t in x.withUnsafeBufferPointer { _ = memcpy(t.baseAddress!, $0.baseAddress!, R * C * 4) } }
        tape.normed2.withUnsafeMutableBufferPointer { n in tape.pre.withUnsafeMutableBufferPointer { u in
        tape.hidden.withUnsafeMutableBufferPointer { g in x.withUnsafeMutableBufferPointer { xs in
            LayerNorm.forward(n.baseAddress!, xs.baseAddress!, w.ln2Weight, w.ln2Bias, rows: R, cols: C)
            Linear.forward(u.baseAddress!, n.baseAddress!, w.fcWeight, w.fcBias, rows: R, inFeatures: C, outFeatures: M)
            memcpy(g.baseAddress!, u.baseAddress!, R * M * 4)
            activation.forwardAddingBias(g.baseAddress!, [Float](repeating: 0, count: M), rows: R, cols: M)
            Linear.forward(xs.baseAddress!, g.baseAddress!, w.projWeight, w.projBias, rows: R, inFeatures: M, outFeatures: C, accumulate: true)
        } } } }
        return tape
    }

    /// The V-V stream through this block, after `forward` filled the tape: vv (R, C) += VV-attn(ln_1(x)) W_out^T + b_out.
    func valueValueForward(_ vv: inout [Float], _ w: BlockWeights, tape: BlockTape) {
        let C = width, R = rows
        let offsets = probsOffsets()
        func size(_ x: inout [Float], _ n: Int) { if x.count != n { x = [Float](repeating: 0, count: n) } }
        size(&tape.valueValueProbs, offsets.last!); size(&tape.valueValueAttention, R * C)
        tape.qkv.withUnsafeBufferPointer { q in tape.valueValueProbs.withUnsafeMutableBufferPointer { p in
        tape.valueValueAttention.withUnsafeMutableBufferPointer { a in vv.withUnsafeMutableBufferPointer { vs in
            attend(.valueValue, qkv: q.baseAddress!, probs: p.baseAddress!, into: a.baseAddress!, offsets: offsets)
            Linear.forward(vs.baseAddress!, a.baseAddress!, w.outProjWeight, w.outProjBias, rows: R, inFeatures: C, outFeatures: C, accumulate: true)
        } } } }
    }

    /// The V-V stream's share of the in-projection's gradient: dvv (R, C), the gradient at the V-V stream (the
    /// same after every block, which only adds to it), gives W_out's and b_out's gradients and adds dV to dqkv's V columns.
    /// `dAttention` (R, C) and `scores` are the backward pass's scratch, free once the ordinary attention's gradient is in dqkv.
    func valueValueBackward(_ dvv: UnsafePointer<Float>, dqkv: UnsafeMutablePointer<Float>, _ tape: BlockTape, _ w: BlockWeights,
                            into g: inout BlockGradients, dAttention: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>,
                            dValue: UnsafeMutablePointer<Float>, longest: Int) {
        let C = width, H = heads, R = rows
        let offsets = probsOffsets()
        let da = dAttention, dv = dValue, sc = scores
        tape.qkv.withUnsafeBufferPointer { q in tape.valueValueProbs.withUnsafeBufferPointer { p in
            memset(da, 0, R * C * 4)
            Linear.backward(dinp: da, dweight: &g.outProjWeight, dbias: &g.outProjBias, dout: dvv,
                            inp: tape.valueValueAttention, weight: w.outProjWeight, rows: R, inFeatures: C, outFeatures: C)
            Parallel.workers(sequences.count * H) { worker, range in
                for pair in range {
                    let s = pair / H, h = pair % H, seq = sequences[s]
                    Attention.backwardValueValueHead(h, dValue: dv + seq.start * C, datt: da + seq.start * C,
                                                     qkv: q.baseAddress! + seq.start * 3 * C, probs: p.baseAddress! + offsets[s] + h * seq.length * seq.length,
                                                     scratch: sc + worker * longest * longest, tokens: seq.length, width: C, heads: H)
                }
            }
            for r in 0..<R {
                let target = dqkv + r * 3 * C + 2 * C, source = dv + r * C
                for c in 0..<C { target[c] += source[c] }
            }
        } }
    }

    /// dx (R, C): the gradient at the block's output in, at its input out; weight gradients added to `g`.
    /// `valueValue`: the gradient at the V-V stream, when the forward pass ran it (`valueValueForward`).
    func backward(_ dx: inout [Float], _ tape: BlockTape, _ w: BlockWeights, into g: inout BlockGradients, scratch work: BlockScratch = BlockScratch(),
                  valueValue dvv: [Float]? = nil) {
        let C = width, M = mlpWidth, H = heads, R = rows
        let offsets = probsOffsets()
        let longest = sequences.map(\.length).max() ?? 1
        work.prepare(rows: R, width: C, mlpWidth: M, longest: longest)
        dx.withUnsafeMutableBufferPointer { dxs in work.dHidden.withUnsafeMutableBufferPointer { dh in work.dPre.withUnsafeMutableBufferPointer { du in
        work.dNormed.withUnsafeMutableBufferPointer { dn in
            // MLP: x += act(ln_2(x) Wfc^T + bfc) Wproj^T + bproj (the scratch is reused: clear what accumulates)
            memset(dh.baseAddress!, 0, R * M * 4)
            Linear.backward(dinp: dh.baseAddress!, dweight: &g.projWeight, dbias: &g.projBias, dout: dxs.baseAddress!, inp: tape.hidden,
                            weight: w.projWeight, rows: R, inFeatures: M, outFeatures: C)
            tape.pre.withUnsafeBufferPointer { u in
                Elementwise.activationBackward(du.baseAddress!, dh.baseAddress!, u.baseAddress!, count: R * M, quick: activation == .quickGELU)
            }
            memset(dn.baseAddress!, 0, R * C * 4)
            Linear.backward(dinp: dn.baseAddress!, dweight: &g.fcWeight, dbias: &g.fcBias, dout: du.baseAddress!, inp: tape.normed2,
                            weight: w.fcWeight, rows: R, inFeatures: C, outFeatures: M)
            tape.middle.withUnsafeBufferPointer { mid in
                LayerNorm.parameterGradients(&g.ln2Weight, &g.ln2Bias, dn.baseAddress!, mid.baseAddress!, rows: R, cols: C)
                LayerNorm.backward(dxs.baseAddress!, dn.baseAddress!, mid.baseAddress!, w.ln2Weight, rows: R, cols: C)
            }
            // Attention: x += attn(ln_1(x) Win^T + bin) Wout^T + bout
            work.dAttention.withUnsafeMutableBufferPointer { da in work.dqkv.withUnsafeMutableBufferPointer { dq in
            work.scores.withUnsafeMutableBufferPointer { sc in
            tape.qkv.withUnsafeBufferPointer { q in tape.probs.withUnsafeBufferPointer { p in
                memset(da.baseAddress!, 0, R * C * 4)
                Linear.backward(dinp: da.baseAddress!, dweight: &g.outProjWeight, dbias: &g.outProjBias, dout: dxs.baseAddress!,
                                inp: tape.attention, weight: w.outProjWeight, rows: R, inFeatures: C, outFeatures: C)
                Parallel.workers(sequences.count * H) { worker, range in
                    for pair in range {
                        let s = pair / H, h = pair % H, seq = sequences[s]
                        Attention.backwardHead(h, dqkv: dq.baseAddress! + seq.start * 3 * C, datt: da.baseAddress! + seq.start * C,
                                               qkv: q.baseAddress! + seq.start * 3 * C, probs: p.baseAddress! + offsets[s] + h * seq.length * seq.length,
                                               scratch: sc.baseAddress! + worker * longest * longest, tokens: seq.length, width: C, heads: H)
                    }
                }
                if let dvv {
                    dvv.withUnsafeBufferPointer { d in work.dValue.withUnsafeMutableBufferPointer { dv in
                        valueValueBackward(d.baseAddress!, dqkv: dq.baseAddress!, tape, w, into: &g, dAttention: da.baseAddress!,
                                           scores: sc.baseAddress!, dValue: dv.baseAddress!, longest: longest)
                    } }
                }
                memset(dn.baseAddress!, 0, R * C * 4)
                Linear.backward(dinp: dn.baseAddress!, dweight: &g.inProjWeight, dbias: &g.inProjBias, dout: dq.baseAddress!,
                                inp: tape.normed1, weight: w.inProjWeight, rows: R, inFeatures: C, outFeatures: 3 * C)
            } } } } }
            tape.input.withUnsafeBufferPointer { input in
                LayerNorm.parameterGradients(&g.ln1Weight, &g.ln1Bias, dn.baseAddress!, input.baseAddress!, rows: R, cols: C)
                LayerNorm.backward(dxs.baseAddress!, dn.baseAddress!, input.baseAddress!, w.ln1Weight, rows: R, cols: C)
            }
        } } } }
    }
}
