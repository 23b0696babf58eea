@testable import Engine
import Foundation
import Testing

/// Our CLIP against open_clip on tiny random models (scripts/fixtures/make_clip_fixtures.py).
@Suite struct CLIPParityTests {
    static let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip")
    static let models = ["tiny_gelu_f16", "tiny_quickgelu_rect_f32", "tiny_gelu_bf16"]
    static let tolerance: Float = 1e-4

    struct Case: Decodable {
        struct Text: Decodable { var text: String?; var tokens: [Int] }
        var taps: [Int]
        var images: Int
        var texts: [Text]
        var contextPositions: [Int]
    }

    func expected(_ model: String, _ name: String) throws -> [Float] {
        try NumPyFile.read(Self.root.appendingPathComponent("\(model)/expected/\(name).npy")).values
    }

    func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "sizes \(a.count) and \(b.count)")
        return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    func load(_ model: String) throws -> (CLIPWeights, Case) {
        let weights = try CLIPWeights.load(path: Self.root.appendingPathComponent("\(model)/model.safetensors").path)
        let data = try Data(contentsOf: Self.root.appendingPathComponent("\(model)/cases.json"))
        return (weights, try JSONDecoder().decode(Case.self, from: data))
    }

    @Test(arguments: models)
    func visionTowerMatchesOpenCLIP(_ model: String) throws {
        let (weights, cases) = try load(model)
        let vision = VisionTransformer(weights)
        let inputs = try (0..<cases.images).map { try expected(model, "image\($0)_input") }
        let outputs = try vision.forward(inputs, surgery: true, taps: Set(cases.taps))
        for (i, output) in outputs.enumerated() {
            let pooled = maxDifference(output.embedding, try expected(model, "image\(i)_embedding"))
            let vv = maxDifference(output.valueValueTokens!, try expected(model, "image\(i)_vv_tokens"))
            #expect(pooled <= Self.tolerance, "\(model) image \(i) embedding: max |diff| \(pooled)")
            #expect(vv <= Self.tolerance, "\(model) image \(i) V-V tokens: max |diff| \(vv)")
            for tap in cases.taps {
                let d = maxDifference(output.taps[tap]!, try expected(model, "image\(i)_tap\(tap)"))
                #expect(d <= Self.tolerance, "\(model) image \(i) tap \(tap): max |diff| \(d)")
            }
        }
        // Without surgery or a tap at the last block, that block runs for the class tokens only: the
        // same pooled embeddings, and no V-V tokens.
        let plain = try vision.forward(inputs)
        for (i, output) in plain.enumerated() {
            #expect(output.valueValueTokens == nil)
            let d = maxDifference(output.embedding, try expected(model, "image\(i)_embedding"))
            #expect(d <= Self.tolerance, "\(model) image \(i) embedding without surgery: max |diff| \(d)")
        }
    }

    @Test(arguments: models)
    func textTowerMatchesOpenCLIP(_ model: String) throws {
        let (weights, cases) = try load(model)
        let text = TextTransformer(weights)
        let features = try text.forward(cases.texts.map { TextTransformer.Prompt(tokens: $0.tokens) })
        for (i, feature) in features.enumerated() {
            let d = maxDifference(feature, try expected(model, "text\(i)_embedding"))
            #expect(d <= Self.tolerance, "\(model) text \(i): max |diff| \(d)")
        }
        // Learnable context vectors in place of the token embeddings at positions 1...4.
        let context = try expected(model, "context_vectors")
        let C = weights.configuration.text.width
        var replacements: [Int: [Float]] = [:]
        for (j, position) in cases.contextPositions.enumerated() { replacements[position] = Array(context[(j * C)..<((j + 1) * C)]) }
        let replaced = try text.forward([TextTransformer.Prompt(tokens: cases.texts[0].tokens, replacements: replacements)])
        let d = maxDifference(replaced[0], try expected(model, "text0_with_context"))
        #expect(d <= Self.tolerance, "\(model) text with context vectors: max |diff| \(d)")
    }

    @Test func realTextThroughTheTokenizerMatchesOpenCLIP() throws {
        let (weights, cases) = try load("tiny_gelu_f16")
        for entry in cases.texts {
            #expect(Tokenizer.shared.tokenize(entry.text!, contextLength: weights.configuration.text.contextLength) == entry.tokens)
        }
    }

    @Test func stoppingAtTheEndOfTextTokenIsExact() throws {
        // Padding after the end-of-text token changes nothing: the causal mask hides it.
        let (weights, cases) = try load("tiny_quickgelu_rect_f32")
        let text = TextTransformer(weights)
        let tokens = cases.texts[1].tokens
        let end = tokens.count - 1
        let padded = tokens + [Int](repeating: 0, count: weights.configuration.text.contextLength - tokens.count)
        let prompt = TextTransformer.Prompt(tokens: padded)
        #expect(prompt.endOfText == end)
        let a = try text.forward([prompt]), b = try text.forward([TextTransformer.Prompt(tokens: tokens)])
        #expect(a == b)
        // And a full-length run computed by hand (every position through the blocks) agrees.
        let full = try text.forwardFullContext(padded)
        #expect(maxDifference(full, a[0]) <= 1e-5)
    }

    @Test func architectureIsInferredFromShapesAndConfig() throws {
        let (f16, _) = try load("tiny_gelu_f16")
        #expect(f16.configuration.vision == .init(imageHeight: 32, imageWidth: 32, patchSize: 8, width: 128, layers: 3, heads: 2, mlpWidth: 512))
        #expect(f16.configuration.text == .init(contextLength: 16, vocabularySize: 49408, width: 64, layers: 2, heads: 1, mlpWidth: 256))
        #expect(f16.configuration.embedDimension == 48 && f16.configuration.activation == .gelu)
        let (rect, _) = try load("tiny_quickgelu_rect_f32")
        #expect(rect.configuration.vision.imageHeight == 32 && rect.configuration.vision.imageWidth == 48)
        #expect(rect.configuration.activation == .quickGELU)
    }
}

extension TextTransformer {
    /// Test helper: every context position through the transformer, then the end-of-text row.
    func forwardFullContext(_ tokens: [Int]) throws -> [Float] {
        let t = configuration.text, C = t.width, L = tokens.count
        var x = [Float](repeating: 0, count: L * C)
        for p in 0..<L { for c in 0..<C { x[p * C + c] = tokenEmbedding[tokens[p] * C + c] + positional[p * C + c] } }
        let layout = TokenLayout(sequences: [(0, L)], heads: t.heads), buffers = BlockBuffers()
        for weights in blocks {
            x.withUnsafeMutableBufferPointer { block.forward($0.baseAddress!, weights, layout: layout, buffers: buffers) }
        }
        let end = TextTransformer.Prompt(tokens: tokens).endOfText
        var row = Array(x[(end * C)..<((end + 1) * C)])
        row.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, lnFinalWeight, lnFinalBias, rows: 1, cols: C) }
        return BLAS.matmul(row, projection, m: 1, n: configuration.embedDimension, k: C)
    }
}
