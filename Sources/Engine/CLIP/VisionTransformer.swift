// OpenCLIP's VisionTransformer, with PromptAD's V-V surgery stream and ordinary-stream taps
// (docs/method-notes.md section 2). Size letters: B images, T = 1 + P tokens, C width, E embedding.
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

    public init(_ weights: CLIPWeights) {
        configuration = weights.configuration
        patchWeight = weights.tensor(.patchEmbedding); classEmbedding = weights.tensor(.classEmbedding)
        positional = weights.tensor(.visionPositional); lnPreWeight = weights.tensor(.lnPreWeight)
        lnPreBias = weights.tensor(.lnPreBias); lnPostWeight = weights.tensor(.lnPostWeight)
        lnPostBias = weights.tensor(.lnPostBias); projection = weights.tensor(.visionProjection)
        blocks = (0..<configuration.vision.layers).map { BlockWeights(weights, .vision, $0) }
    }

    /// Encodes a batch of preprocessed images, each (3, H, W) normalised as CLIP expects.
    public func forward(_ images: [[Float]], surgery: Bool = false, taps: Set<Int> = []) throws -> [VisionOutput] {
        let v = configuration.vision
        let C = v.width, P = v.patches, T = P + 1, B = images.count, E = configuration.embedDimension
        for (i, image) in images.enumerated() where image.count != 3 * v.imageHeight * v.imageWidth {
            throw EngineError.invalidInput("image \(i): \(image.count) values, expected 3 x \(v.imageHeight) x \(v.imageWidth)")
        }
        if let bad = taps.first(where: { $0 < 1 || $0 > v.layers }) {
            throw EngineError.invalidInput("tap \(bad): the vision transformer has blocks 1...\(v.layers)")
        }
        guard B > 0 else { return [] }
        var x = [Float](repeating: 0, count: B * T * C)          // (B*T, C) ordinary stream
        embed(images, into: &x)
        x.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, lnPreWeight, lnPreBias, rows: B * T, cols: C) }
        var vv = surgery ? x : []                                 // (B*T, C) V-V stream, same start
        var tapped: [Int: [Float]] = [:]
        let workspace = BlockWorkspace(rows: B * T, width: C, mlpWidth: v.mlpWidth, longest: T)
        let sequences = (0..<B).map { (start: $0 * T, length: T) }
        for (i, block) in blocks.enumerated() {
            x.withUnsafeMutableBufferPointer { xs in
                if surgery {
                    vv.withUnsafeMutableBufferPointer { vs in
                        ResidualBlock.forward(xs.baseAddress!, valueValue: vs.baseAddress!, weights: block, workspace: workspace,
                                              sequences: sequences, width: C, heads: v.heads, mlpWidth: v.mlpWidth,
                                              activation: configuration.activation, causal: false)
                    }
                } else if i == blocks.count - 1 && !taps.contains(i + 1) {
                    // Only the class tokens are read after the last block.
                    ResidualBlock.forwardFirstRows(xs.baseAddress!, weights: block, workspace: workspace, sequences: sequences,
                                                   width: C, heads: v.heads, mlpWidth: v.mlpWidth, activation: configuration.activation)
                } else {
                    ResidualBlock.forward(xs.baseAddress!, valueValue: nil, weights: block, workspace: workspace,
                                          sequences: sequences, width: C, heads: v.heads, mlpWidth: v.mlpWidth,
                                          activation: configuration.activation, causal: false)
                }
            }
            if taps.contains(i + 1) { tapped[i + 1] = x }
        }

        // Pooled: ln_post(class token) @ proj. V-V tokens: ln_post(V-V patches) @ proj.
        var outputs: [VisionOutput] = []
        for b in 0..<B {
            let classToken = Array(x[(b * T * C)..<(b * T * C + C)])
            let embedding = project(classToken, rows: 1)
            var tokens: [Float]? = nil
            if surgery {
                tokens = project(Array(vv[((b * T + 1) * C)..<((b + 1) * T * C)]), rows: P)
            }
            let bTaps = tapped.mapValues { Array($0[((b * T + 1) * C)..<((b + 1) * T * C)]) }
            outputs.append(VisionOutput(embedding: embedding, valueValueTokens: tokens, taps: bTaps))
        }
        _ = E
        return outputs
    }

    /// x (B*T, C): [class embedding; patches (P, 3*p*p) @ conv1^T] + positional embedding.
    func embed(_ images: [[Float]], into x: inout [Float]) {
        let v = configuration.vision
        let C = v.width, p = v.patchSize, P = v.patches, T = P + 1, K = 3 * p * p
        let H = v.imageHeight, W = v.imageWidth, gw = v.gridWidth
        var columns = [Float](repeating: 0, count: P * K)           // im2col: (P, 3*p*p), in conv1's (c, ky, kx) order
        for (b, image) in images.enumerated() {
            for patch in 0..<P {
                let gy = patch / gw, gx = patch % gw
                for c in 0..<3 { for ky in 0..<p { for kx in 0..<p {
                    columns[patch * K + (c * p + ky) * p + kx] = image[(c * H + gy * p + ky) * W + gx * p + kx]
                } } }
            }
            x.withUnsafeMutableBufferPointer { xs in
                let base = xs.baseAddress! + b * T * C
                for c in 0..<C { base[c] = classEmbedding[c] }
                BLAS.sgemm(columns, patchWeight, transposeB: true, base + C, m: P, n: C, k: K)
                for i in 0..<(T * C) { base[i] += positional[i] }
            }
        }
    }

    /// rows x (C) -> ln_post -> @ proj (C, E).
    func project(_ tokens: [Float], rows: Int) -> [Float] {
        let C = configuration.vision.width, E = configuration.embedDimension
        var normed = tokens
        normed.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, lnPostWeight, lnPostBias, rows: rows, cols: C) }
        return BLAS.matmul(normed, projection, m: rows, n: E, k: C)
    }
}
