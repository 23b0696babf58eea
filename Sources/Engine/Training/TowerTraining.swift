// Both towers for training: forward passes that keep their tapes, backward passes that give every
// parameter's gradient. Vision: patch embedding, class token, positions, ln_pre, blocks, ln_post,
// projection of every row (the class row is the image embedding, the others the patch tokens), and
// on request PromptAD's V-V surgery stream beside it (VisionTransformer's, the same arithmetic).
// Text: token embeddings and positions to each caption's end-of-text, causal blocks, ln_final, projection.
import Foundation

struct VisionTape {
    var images: Int
    var columns: [Float] = []        // (B*P, 3 p p) im2col of the patches
    var embedded: [Float] = []       // (B*T, C) before ln_pre
    var blocks: [BlockTape] = []
    var final: [Float] = []          // (B*T, C) after the last block
    var normed: [Float] = []         // (B*T, C) after ln_post
    var valueValueFinal: [Float] = []   // (B*T, C) the V-V stream after the last block, when it ran
    var valueValueNormed: [Float] = []  // (B*T, C) after ln_post
}

struct CaptionTape {
    let sequences: [(start: Int, length: Int)]
    let tokens: [[Int]]
    var blocks: [BlockTape] = []
    var last: [Float] = []           // (N, C) end-of-text rows before ln_final
    var normed: [Float] = []         // (N, C) after ln_final
}

extension CLIPParameters {
    /// (B*T, E) projected rows of every image: row b*T is image b's embedding, the rest its patch tokens.
    /// `reusing`: a previous step's tape, whose buffers are overwritten rather than allocated again.
    /// `valueValue`: also the V-V stream's projected rows (B*T, E), as `VisionTransformer.forward(surgery:)` gives them.
    func visionForward(_ images: [[Float]], valueValue: Bool = false, reusing previous: VisionTape? = nil)
        -> (rows: [Float], valueValueRows: [Float]?, tape: VisionTape) {
        let v = configuration.vision, c = configuration
        let C = v.width, p = v.patchSize, P = v.patches, T = P + 1, K = 3 * p * p, B = images.count, E = c.embedDimension
        var tape = previous ?? VisionTape(images: B)
        tape.images = B
        if tape.blocks.count != v.layers { tape.blocks = (0..<v.layers).map { _ in BlockTape() } }
        var columns = [Float](repeating: 0, count: B * P * K)
        for (b, image) in images.enumerated() {
            for patch in 0..<P {
                let gy = patch / v.gridWidth, gx = patch % v.gridWidth
                for ch in 0..<3 { for ky in 0..<p { for kx in 0..<p {
                    columns[(b * P + patch) * K + (ch * p + ky) * p + kx] = image[(ch * v.imageHeight + gy * p + ky) * v.imageWidth + gx * p + kx]
                } } }
            }
        }
        let patchRows = BLAS.matmul(columns, self[.patchEmbedding], m: B * P, n: C, k: K, transposeB: true)
        var x = [Float](repeating: 0, count: B * T * C)
        let classEmbedding = self[.classEmbedding], positional = self[.visionPositional]
        for b in 0..<B {
            for ch in 0..<C { x[b * T * C + ch] = classEmbedding[ch] + positional[ch] }
            for i in 0..<P { for ch in 0..<C { x[(b * T + 1 + i) * C + ch] = patchRows[(b * P + i) * C + ch] + positional[(1 + i) * C + ch] } }
        }
        tape.columns = columns
        tape.embedded = x
        x.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, self[.lnPreWeight], self[.lnPreBias], rows: B * T, cols: C) }
        let block = TrainableBlock(width: C, heads: v.heads, mlpWidth: v.mlpWidth, activation: c.activation, causal: false,
                                   sequences: (0..<B).map { (start: $0 * T, length: T) })
        var vv = valueValue ? x : []                 // the V-V stream starts from ln_pre's output too
        for i in 0..<v.layers {
            let weights = self.block(.vision, i)
            _ = block.forward(&x, weights, tape: tape.blocks[i])
            if valueValue { block.valueValueForward(&vv, weights, tape: tape.blocks[i]) }
        }
        tape.final = x
        x.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, self[.lnPostWeight], self[.lnPostBias], rows: B * T, cols: C) }
        tape.normed = x
        var valueValueRows: [Float]? = nil
        if valueValue {
            tape.valueValueFinal = vv
            vv.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, self[.lnPostWeight], self[.lnPostBias], rows: B * T, cols: C) }
            tape.valueValueNormed = vv
            valueValueRows = BLAS.matmul(vv, self[.visionProjection], m: B * T, n: E, k: C)
        }
        return (BLAS.matmul(x, self[.visionProjection], m: B * T, n: E, k: C), valueValueRows, tape)
    }

    /// dRows (B*T, E): the gradient at every projected row; dValueValueRows the same for the V-V stream's rows,
    /// when the forward pass made them; gradients added to `g`.
    func visionBackward(_ dRows: [Float], valueValue dValueValueRows: [Float]? = nil, _ tape: VisionTape, into g: inout CLIPParameters,
                        scratch: BlockScratch = BlockScratch()) {
        let v = configuration.vision, c = configuration
        let C = v.width, p = v.patchSize, P = v.patches, T = P + 1, K = 3 * p * p, B = tape.images, E = c.embedDimension
        dRows.withUnsafeBufferPointer { dr in tape.normed.withUnsafeBufferPointer { n in
            g.values[.visionProjection]!.withUnsafeMutableBufferPointer {
                BLAS.sgemm(n.baseAddress!, transposeA: true, dr.baseAddress!, $0.baseAddress!, m: C, n: E, k: B * T, beta: 1)
            }
        } }
        let dNormed = BLAS.matmul(dRows, self[.visionProjection], m: B * T, n: C, k: E, transposeB: true)
        var dx = [Float](repeating: 0, count: B * T * C)
        layerNormBackward(&dx, dNormed, tape.final, .lnPostWeight, .lnPostBias, rows: B * T, cols: C, into: &g)
        // The V-V stream only adds to itself block after block: its gradient is the same at every block.
        var dvv: [Float]? = nil
        if let dValueValueRows {
            dValueValueRows.withUnsafeBufferPointer { dr in tape.valueValueNormed.withUnsafeBufferPointer { n in
                g.values[.visionProjection]!.withUnsafeMutableBufferPointer {
                    BLAS.sgemm(n.baseAddress!, transposeA: true, dr.baseAddress!, $0.baseAddress!, m: C, n: E, k: B * T, beta: 1)
                }
            } }
            var d = [Float](repeating: 0, count: B * T * C)
            layerNormBackward(&d, BLAS.matmul(dValueValueRows, self[.visionProjection], m: B * T, n: C, k: E, transposeB: true),
                              tape.valueValueFinal, .lnPostWeight, .lnPostBias, rows: B * T, cols: C, into: &g)
            dvv = d
        }
        let block = TrainableBlock(width: C, heads: v.heads, mlpWidth: v.mlpWidth, activation: c.activation, causal: false,
                                   sequences: (0..<B).map { (start: $0 * T, length: T) })
        for i in (0..<v.layers).reversed() {
            var gb = g.block(.vision, i)
            block.backward(&dx, tape.blocks[i], self.block(.vision, i), into: &gb, scratch: scratch, valueValue: dvv)
            g.setBlock(.vision, i, gb)
        }
        if let dvv { for i in dx.indices { dx[i] += dvv[i] } }
        var dEmbedded = [Float](repeating: 0, count: B * T * C)
        layerNormBackward(&dEmbedded, dx, tape.embedded, .lnPreWeight, .lnPreBias, rows: B * T, cols: C, into: &g)
        var dPatchRows = [Float](repeating: 0, count: B * P * C)
        var dClass = g[.classEmbedding], dPositional = g[.visionPositional]
        for b in 0..<B {
            for ch in 0..<C { dClass[ch] += dEmbedded[b * T * C + ch] }
            for t in 0..<T { for ch in 0..<C { dPositional[t * C + ch] += dEmbedded[(b * T + t) * C + ch] } }
            for i in 0..<P { for ch in 0..<C { dPatchRows[(b * P + i) * C + ch] = dEmbedded[(b * T + 1 + i) * C + ch] } }
        }
        g[.classEmbedding] = dClass; g[.visionPositional] = dPositional
        // patchRows = columns Wconv^T: dWconv (C, K) += dPatchRows^T columns
        dPatchRows.withUnsafeBufferPointer { d in tape.columns.withUnsafeBufferPointer { cols in
            g.values[.patchEmbedding]!.withUnsafeMutableBufferPointer {
                BLAS.sgemm(d.baseAddress!, transposeA: true, cols.baseAddress!, $0.baseAddress!, m: C, n: K, k: B * P, beta: 1)
            }
        } }
    }

    /// (N, E) caption features (not normalised), each caption run to its end-of-text token.
    func textForward(_ tokens: [[Int]]) -> (features: [Float], tape: CaptionTape) {
        let t = configuration.text, c = configuration
        let C = t.width, E = c.embedDimension
        var sequences: [(start: Int, length: Int)] = []
        for ids in tokens {
            let eot = TextTransformer.Prompt(tokens: ids).endOfText
            sequences.append((start: sequences.last.map { $0.start + $0.length } ?? 0, length: eot + 1))
        }
        var tape = CaptionTape(sequences: sequences, tokens: tokens)
        let R = sequences.last!.start + sequences.last!.length
        var x = [Float](repeating: 0, count: R * C)
        let embedding = self[.tokenEmbedding], positional = self[.textPositional]
        for (ids, s) in zip(tokens, sequences) {
            for i in 0..<s.length { for ch in 0..<C { x[(s.start + i) * C + ch] = embedding[ids[i] * C + ch] + positional[i * C + ch] } }
        }
        let block = TrainableBlock(width: C, heads: t.heads, mlpWidth: t.mlpWidth, activation: c.activation, causal: true, sequences: sequences)
        for i in 0..<t.layers { tape.blocks.append(block.forward(&x, self.block(.text, i))) }
        var last = [Float](repeating: 0, count: tokens.count * C)
        for (n, s) in sequences.enumerated() { for ch in 0..<C { last[n * C + ch] = x[(s.start + s.length - 1) * C + ch] } }
        tape.last = last
        last.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, self[.lnFinalWeight], self[.lnFinalBias], rows: tokens.count, cols: C) }
        tape.normed = last
        return (BLAS.matmul(last, self[.textProjection], m: tokens.count, n: E, k: C), tape)
    }

    func textBackward(_ dFeatures: [Float], _ tape: CaptionTape, into g: inout CLIPParameters) {
        let t = configuration.text, c = configuration
        let C = t.width, E = c.embedDimension, N = tape.tokens.count
        let sequences = tape.sequences
        let R = sequences.last!.start + sequences.last!.length
        dFeatures.withUnsafeBufferPointer { d in tape.normed.withUnsafeBufferPointer { n in
            g.values[.textProjection]!.withUnsafeMutableBufferPointer {
                BLAS.sgemm(n.baseAddress!, transposeA: true, d.baseAddress!, $0.baseAddress!, m: C, n: E, k: N, beta: 1)
            }
        } }
        let dNormed = BLAS.matmul(dFeatures, self[.textProjection], m: N, n: C, k: E, transposeB: true)
        var dLast = [Float](repeating: 0, count: N * C)
        layerNormBackward(&dLast, dNormed, tape.last, .lnFinalWeight, .lnFinalBias, rows: N, cols: C, into: &g)
        var dx = [Float](repeating: 0, count: R * C)
        for (n, s) in sequences.enumerated() {
            let row = (s.start + s.length - 1) * C
            for ch in 0..<C { dx[row + ch] += dLast[n * C + ch] }
        }
        let block = TrainableBlock(width: C, heads: t.heads, mlpWidth: t.mlpWidth, activation: c.activation, causal: true, sequences: sequences)
        for i in (0..<t.layers).reversed() {
            var gb = g.block(.text, i)
            block.backward(&dx, tape.blocks[i], self.block(.text, i), into: &gb)
            g.setBlock(.text, i, gb)
        }
        var dToken = g.values[.tokenEmbedding]!, dPositional = g.values[.textPositional]!
        g.values[.tokenEmbedding] = nil; g.values[.textPositional] = nil       // no copy while they change
        for (ids, s) in zip(tape.tokens, sequences) {
            for i in 0..<s.length {
                let row = (s.start + i) * C, token = ids[i] * C, position = i * C
                for ch in 0..<C {
                    let d = dx[row + ch]
                    dToken[token + ch] += d
                    dPositional[position + ch] += d
                }
            }
        }
        g.values[.tokenEmbedding] = dToken; g.values[.textPositional] = dPositional
    }

    /// dinp += the gradient through a layer norm; its weight and bias gradients added to `g`.
    func layerNormBackward(_ dinp: inout [Float], _ dout: [Float], _ inp: [Float], _ weight: TensorRole, _ bias: TensorRole,
                           rows: Int, cols: Int, into g: inout CLIPParameters) {
        var dWeight = g[weight], dBias = g[bias]
        LayerNorm.parameterGradients(&dWeight, &dBias, dout, inp, rows: rows, cols: cols)
        g[weight] = dWeight; g[bias] = dBias
        LayerNorm.backward(&dinp, dout, inp, self[weight], rows: rows, cols: cols)
    }
}
