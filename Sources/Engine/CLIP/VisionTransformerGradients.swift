// The vision tower for training: the forward pass (VisionTransformer.encode, the same arithmetic as
// inference) keeping its tape, projecting every row, and the backward pass retracing it to every
// weight's gradient. Size letters: B images, P patches, T = 1 + P tokens, K = 3 p p, C width, E embedding.
import Foundation

/// What the vision backward pass needs, kept from step to step so its buffers are reused.
final class VisionTape {
    var images = 0
    var columns: [Float] = []        // (B*P, K) im2col of the patches
    var embedded: [Float] = []       // (B*T, C) before ln_pre
    var blocks: [BlockTape] = []
    let buffers = BlockBuffers()
    var final: [Float] = []          // (B*T, C) after the last block
    var normed: [Float] = []         // (B*T, C) after ln_post
    var valueValueFinal: [Float] = []   // (B*T, C) the V-V stream after the last block, when it ran
    var valueValueNormed: [Float] = []  // (B*T, C) after ln_post

    init() {}

    func prepare(images: Int, layers: Int) {
        self.images = images
        if blocks.count != layers { blocks = (0..<layers).map { _ in BlockTape() } }
    }
}

extension VisionTransformer {
    /// (B*T, E) projected rows of every image: row b*T is image b's embedding, the rest its patch tokens; with `valueValue`
    /// also the V-V stream's projected rows, as `forward(surgery: true)` gives them. `tape`: a previous step's, reused.
    func forwardTaped(_ images: [[Float]], valueValue: Bool = false, tape: VisionTape = VisionTape()) -> (rows: [Float], valueValueRows: [Float]?, tape: VisionTape) {
        let C = configuration.vision.width, T = configuration.vision.patches + 1, B = images.count, E = configuration.embedDimension
        var x = embed(images, tape: tape)
        var (vv, _) = encode(&x, layout: TokenLayout(count: B, length: T, heads: configuration.vision.heads),
                                valueValue: valueValue, taps: [], tape: tape)
        func projectAll(_ x: inout [Float], final: inout [Float], normed: inout [Float]) -> [Float] {
            final = x
            x.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, lnPostWeight, lnPostBias, rows: B * T, cols: C) }
            normed = x
            return BLAS.matmul(x, projection, m: B * T, n: E, k: C)
        }
        let rows = projectAll(&x, final: &tape.final, normed: &tape.normed)
        let valueValueRows = valueValue ? projectAll(&vv, final: &tape.valueValueFinal, normed: &tape.valueValueNormed) : nil
        return (rows, valueValueRows, tape)
    }

    /// dRows (B*T, E): the gradient at every projected row; `valueValue` the same for the V-V stream's rows, when the forward
    /// pass made them. Every weight's gradient is added to `g`.
    func backward(_ dRows: [Float], valueValue dValueValueRows: [Float]? = nil, _ tape: VisionTape, into g: inout CLIPParameters) {
        let v = configuration.vision
        let C = v.width, P = v.patches, T = P + 1, K = 3 * v.patchSize * v.patchSize, B = tape.images, E = configuration.embedDimension
        // rows = ln_post(final) @ proj, for either stream: dproj += normed^T drows; dfinal = ln_post^T(drows proj^T)
        func throughProjection(_ d: [Float], final: [Float], normed: [Float]) -> [Float] {
            g.withGradient(.visionProjection) { BLAS.sgemm(normed, transposeA: true, d, $0, m: C, n: E, k: B * T, beta: 1) }
            var dFinal = [Float](repeating: 0, count: B * T * C)
            g.layerNormBackward(&dFinal, BLAS.matmul(d, projection, m: B * T, n: C, k: E, transposeB: true), final,
                                lnPostWeight, .lnPostWeight, .lnPostBias, rows: B * T, cols: C)
            return dFinal
        }
        var dx = throughProjection(dRows, final: tape.final, normed: tape.normed)
        // The V-V stream only adds to itself block after block: its gradient is the same at every block.
        let dvv = dValueValueRows.map { throughProjection($0, final: tape.valueValueFinal, normed: tape.valueValueNormed) }
        let layout = TokenLayout(count: B, length: T, heads: v.heads)
        for i in blocks.indices.reversed() {
            g.withBlockGradients(.vision, i) { gb in
                dx.withUnsafeMutableBufferPointer { d in
                    if let dvv {
                        dvv.withUnsafeBufferPointer { block.backward(d.baseAddress!, valueValue: $0.baseAddress!, tape.blocks[i], blocks[i],
                                                                     into: &gb, layout: layout, buffers: tape.buffers) }
                    } else {
                        block.backward(d.baseAddress!, tape.blocks[i], blocks[i], into: &gb, layout: layout, buffers: tape.buffers)
                    }
                }
            }
        }
        if let dvv { for i in dx.indices { dx[i] += dvv[i] } }
        // ln_pre, then x = [class embedding; patch rows] + positional embedding
        var dEmbedded = [Float](repeating: 0, count: B * T * C)
        g.layerNormBackward(&dEmbedded, dx, tape.embedded, lnPreWeight, .lnPreWeight, .lnPreBias, rows: B * T, cols: C)
        var dPatchRows = [Float](repeating: 0, count: B * P * C)
        g.withGradients(.classEmbedding, .visionPositional) { dClass, dPositional in
            for b in 0..<B {
                for c in 0..<C { dClass[c] += dEmbedded[b * T * C + c] }
                for t in 0..<T { for c in 0..<C { dPositional[t * C + c] += dEmbedded[(b * T + t) * C + c] } }
                for i in 0..<P { for c in 0..<C { dPatchRows[(b * P + i) * C + c] = dEmbedded[(b * T + 1 + i) * C + c] } }
            }
        }
        g.withGradient(.patchEmbedding) { PatchEmbedding.backward(dweight: $0, dout: dPatchRows, columns: tape.columns, rows: B * P, width: C, k: K) }
    }
}
