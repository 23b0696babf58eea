// OpenCLIP's VisionTransformer, with PromptAD's V-V surgery stream and ordinary-stream taps
// (docs/method-notes.md section 2). Size letters: B images, P patches, T = 1 + P tokens, C width, E embedding.
import Foundation

public struct VisionOutput: Sendable {
    /// (E) the ordinary CLIP image embedding, not normalised.
    public var embedding: [Float]
    /// (P, E) V-V patch tokens after ln_post and proj, when surgery was asked for.
    public var valueValueTokens: [Float]?
    /// Block number (1-based) -> (P, C) ordinary-stream patch tokens after that block.
    public var taps: [Int: [Float]]
}

public final class VisionTransformer: @unchecked Sendable {
    public let configuration: CLIPConfiguration
    let patchWeight, classEmbedding, positional, lnPreWeight, lnPreBias, lnPostWeight, lnPostBias, projection: [Float]
    let blocks: [BlockWeights]
    let block: TransformerBlock

    public init(_ weights: CLIPWeights) {
        configuration = weights.configuration
        patchWeight = weights.tensor(.patchEmbedding); classEmbedding = weights.tensor(.classEmbedding)
        positional = weights.tensor(.visionPositional); lnPreWeight = weights.tensor(.lnPreWeight)
        lnPreBias = weights.tensor(.lnPreBias); lnPostWeight = weights.tensor(.lnPostWeight)
        lnPostBias = weights.tensor(.lnPostBias); projection = weights.tensor(.visionProjection)
        let v = configuration.vision
        blocks = (0..<v.layers).map { BlockWeights(weights, .vision, $0) }
        block = TransformerBlock(width: v.width, heads: v.heads, mlpWidth: v.mlpWidth, activation: configuration.activation, causal: false)
    }

    /// Encodes a batch of preprocessed images, each (3, H, W) normalised as CLIP expects.
    public func forward(_ images: [[Float]], surgery: Bool = false, taps: Set<Int> = []) throws -> [VisionOutput] {
        let v = configuration.vision
        let C = v.width, P = v.patches, T = P + 1, B = images.count
        try validate(images)
        if let bad = taps.first(where: { $0 < 1 || $0 > v.layers }) {
            throw EngineError.invalidInput("tap \(bad): the vision transformer has blocks 1...\(v.layers)")
        }
        guard B > 0 else { return [] }
        var x = embed(images)
        let (vv, tapped) = encode(&x, layout: TokenLayout(count: B, length: T, heads: v.heads), valueValue: surgery, taps: taps, tape: nil)
        // Pooled: ln_post(class token) @ proj. V-V tokens: ln_post(V-V patches) @ proj.
        let classRows = (0..<B).flatMap { b in x[(b * T * C)..<(b * T * C + C)] }
        let embeddings = project(classRows, rows: B)
        let E = configuration.embedDimension
        return (0..<B).map { b in
            let tokens = surgery ? project(Array(vv[((b * T + 1) * C)..<((b + 1) * T * C)]), rows: P) : nil
            return VisionOutput(embedding: Array(embeddings[(b * E)..<((b + 1) * E)]), valueValueTokens: tokens,
                                taps: tapped.mapValues { Array($0[((b * T + 1) * C)..<((b + 1) * T * C)]) })
        }
    }

    func validate(_ images: [[Float]]) throws {
        let v = configuration.vision
        for (i, image) in images.enumerated() where image.count != 3 * v.imageHeight * v.imageWidth {
            throw EngineError.invalidInput("image \(i): \(image.count) values, expected 3 x \(v.imageHeight) x \(v.imageWidth)")
        }
    }

    /// Pooled embeddings (E) of token subsets, WinCLIP's windows (docs/method-notes.md section 7): for each image and
    /// each window, the class token and the window's patches (indices into the row-major patch grid), taken after the
    /// positional embedding, through ln_pre, the transformer, ln_post and the projection. Per image, per window.
    public func forward(_ images: [[Float]], windows: [[Int]]) throws -> [[[Float]]] {
        let v = configuration.vision
        let C = v.width, P = v.patches, T = P + 1, E = configuration.embedDimension
        try validate(images)
        if let bad = windows.first(where: { $0.isEmpty || $0.contains { $0 < 0 || $0 >= P } }) {
            throw EngineError.invalidInput("window \(bad): needs one or more patches of 0..<\(P)")
        }
        guard !images.isEmpty, !windows.isEmpty else { return images.map { _ in [] } }
        // A few thousand rows per pass keep the buffers small: windows of several images run together.
        let rowsPerImage = windows.reduce(0) { $0 + 1 + $1.count }
        let imagesPerPass = max(1, 8192 / rowsPerImage)
        var embeddings: [[[Float]]] = []
        for start in stride(from: 0, to: images.count, by: imagesPerPass) {
            let part = Array(images[start..<min(images.count, start + imagesPerPass)])
            let full = embed(part)
            var sequences: [(start: Int, length: Int)] = [], rows: [Int] = []
            for b in part.indices {
                for window in windows {
                    sequences.append((start: rows.count, length: 1 + window.count))
                    rows.append(b * T)
                    rows += window.map { b * T + 1 + $0 }
                }
            }
            var x = [Float](repeating: 0, count: rows.count * C)
            for (r, source) in rows.enumerated() { for c in 0..<C { x[r * C + c] = full[source * C + c] } }
            _ = encode(&x, layout: TokenLayout(sequences: sequences, heads: v.heads), valueValue: false, taps: [], tape: nil)
            let pooled = project(sequences.flatMap { s in x[(s.start * C)..<(s.start * C + C)] }, rows: sequences.count)
            for b in part.indices {
                embeddings.append(windows.indices.map { w in
                    let i = b * windows.count + w
                    return Array(pooled[(i * E)..<((i + 1) * E)])
                })
            }
        }
        return embeddings
    }

    /// x (B*T, C) before ln_pre: [class embedding; patches @ conv1^T] + positional embedding.
    func embed(_ images: [[Float]], tape: VisionTape? = nil) -> [Float] {
        let v = configuration.vision
        let C = v.width, P = v.patches, T = P + 1, B = images.count, K = 3 * v.patchSize * v.patchSize
        let columns = PatchEmbedding.columns(images, v)
        var patchRows = [Float](repeating: 0, count: B * P * C)
        PatchEmbedding.forward(&patchRows, columns: columns, weight: patchWeight, rows: B * P, width: C, k: K)
        var x = [Float](repeating: 0, count: B * T * C)
        for b in 0..<B {
            for c in 0..<C { x[b * T * C + c] = classEmbedding[c] + positional[c] }
            for i in 0..<P { for c in 0..<C { x[(b * T + 1 + i) * C + c] = patchRows[(b * P + i) * C + c] + positional[(1 + i) * C + c] } }
        }
        if let tape { tape.prepare(images: B, layers: blocks.count); tape.columns = columns; tape.embedded = x }
        return x
    }

    /// ln_pre and the blocks over embedded rows x, in place (x after the last block); returns the V-V stream's rows when
    /// asked for, and the ordinary stream after each tapped block. With a tape, every step is kept for `backward`; without one, the
    /// last block computes only each sequence's first row (the class token) when nothing else is read.
    func encode(_ x: inout [Float], layout: TokenLayout, valueValue: Bool, taps: Set<Int>, tape: VisionTape?) -> (vv: [Float], taps: [Int: [Float]]) {
        let v = configuration.vision
        x.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, lnPreWeight, lnPreBias, rows: layout.rows, cols: v.width) }
        var vv = valueValue ? x : []                 // the V-V stream starts from ln_pre's output too
        var tapped: [Int: [Float]] = [:]
        let buffers = tape?.buffers ?? BlockBuffers()
        for (i, weights) in blocks.enumerated() {
            let firstRowsOnly = tape == nil && !valueValue && i == blocks.count - 1 && !taps.contains(i + 1)
            x.withUnsafeMutableBufferPointer { xs in
                if valueValue {
                    vv.withUnsafeMutableBufferPointer { block.forward(xs.baseAddress!, valueValue: $0.baseAddress!, weights, layout: layout,
                                                                      buffers: buffers, tape: tape?.blocks[i]) }
                } else {
                    block.forward(xs.baseAddress!, weights, layout: layout, buffers: buffers, tape: tape?.blocks[i], firstRowsOnly: firstRowsOnly)
                }
            }
            if taps.contains(i + 1) { tapped[i + 1] = x }
        }
        return (vv, tapped)
    }

    /// ln_post over rows x (C) in place: open_clip's `output_tokens` when applied to the last block's patch tokens.
    func postNormalize(_ rows: UnsafeMutablePointer<Float>, rows count: Int) {
        LayerNorm.forward(rows, rows, lnPostWeight, lnPostBias, rows: count, cols: configuration.vision.width)
    }

    /// rows x (C) -> ln_post -> @ proj (C, E); public so that ordinary-stream tokens (a tap at the last block) can be compared with V-V ones.
    public func project(_ tokens: [Float], rows: Int) -> [Float] {
        let C = configuration.vision.width, E = configuration.embedDimension
        var normed = tokens
        normed.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, lnPostWeight, lnPostBias, rows: rows, cols: C) }
        return BLAS.matmul(normed, projection, m: rows, n: E, k: C)
    }
}
