@testable import Engine
import Foundation
import Testing

/// Gradients through the text tower with respect to learnable context vectors: against torch
/// autograd on the fixture models, and against finite differences.
@Suite struct TextGradientTests {
    static let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip")

    struct Case: Decodable {
        struct Text: Decodable { var tokens: [Int] }
        var texts: [Text]
        var contextPositions: [Int]
    }

    func load(_ model: String) throws -> (TextTransformer, Case, context: [Float], upstream: [Float], expected: [Float]) {
        let weights = try CLIPWeights.load(path: Self.root.appendingPathComponent("\(model)/model.safetensors").path)
        let cases = try JSONDecoder().decode(Case.self, from: Data(contentsOf: Self.root.appendingPathComponent("\(model)/cases.json")))
        func npy(_ name: String) throws -> [Float] { try NumPyFile.read(Self.root.appendingPathComponent("\(model)/expected/\(name).npy")).values }
        return (TextTransformer(weights), cases, try npy("context_vectors"), try npy("gradient_upstream"), try npy("gradient_context"))
    }

    /// Every prompt with the context vectors at positions 1...4 (those inside it: later ones cannot reach its end token).
    func prompts(_ cases: Case, context: [Float], width C: Int) -> [TextTransformer.Prompt] {
        cases.texts.map { text in
            var replacements: [Int: [Float]] = [:]
            for (j, position) in cases.contextPositions.enumerated() where position < text.tokens.count {
                replacements[position] = Array(context[(j * C)..<((j + 1) * C)])
            }
            return TextTransformer.Prompt(tokens: text.tokens, replacements: replacements)
        }
    }

    @Test(arguments: ["tiny_gelu_f16", "tiny_quickgelu_rect_f32", "tiny_gelu_bf16"])
    func contextGradientsMatchTorchAutograd(_ model: String) throws {
        let (text, cases, context, upstream, expected) = try load(model)
        let C = text.configuration.text.width, E = text.configuration.embedDimension
        let prompts = prompts(cases, context: context, width: C)
        let (features, tape) = try text.forwardTaped(prompts)
        let plain = try text.forward(prompts)
        // The same features, up to the rounding of products over fewer (shared) rows.
        #expect(zip(features.flatMap { $0 }, plain.flatMap { $0 }).allSatisfy { abs($0 - $1) <= 1e-5 }, "the taped forward computes the same features")
        let gradients = text.backward(tape, featureGradients: (0..<prompts.count).map { Array(upstream[($0 * E)..<(($0 + 1) * E)]) })
        var summed = [Float](repeating: 0, count: 4 * C)
        for perPrompt in gradients {
            for (j, position) in cases.contextPositions.enumerated() {
                if let g = perPrompt[position] { for c in 0..<C { summed[j * C + c] += g[c] } }
            }
        }
        let scale = expected.map(abs).max()!
        let worst = zip(summed, expected).map { abs($0 - $1) }.max()! / scale
        #expect(worst <= 1e-4, "\(model): max relative difference \(worst)")
    }

    @Test func contextGradientsMatchFiniteDifferences() throws {
        let (text, cases, context, upstream, _) = try load("tiny_quickgelu_rect_f32")
        let C = text.configuration.text.width, E = text.configuration.embedDimension
        func loss(_ ctx: [Float]) throws -> Double {
            let features = try text.forward(prompts(cases, context: ctx, width: C))
            return features.enumerated().reduce(0.0) { sum, item in
                sum + zip(item.element, upstream[(item.offset * E)..<((item.offset + 1) * E)]).reduce(0.0) { $0 + Double($1.0 * $1.1) }
            }
        }
        let ps = prompts(cases, context: context, width: C)
        let (_, tape) = try text.forwardTaped(ps)
        let gradients = text.backward(tape, featureGradients: (0..<ps.count).map { Array(upstream[($0 * E)..<(($0 + 1) * E)]) })
        func analytic(_ j: Int, _ c: Int) -> Double {
            gradients.reduce(0.0) { $0 + Double($1[cases.contextPositions[j]]?[c] ?? 0) }
        }
        let h: Float = 5e-3  // float32 forward: smaller steps drown in rounding, larger ones in curvature
        var worst = 0.0, largest = 0.0
        for (j, c) in [(0, 0), (0, 17), (1, 5), (2, 40), (3, 63), (3, 1)] {
            var plus = context, minus = context
            plus[j * C + c] += h; minus[j * C + c] -= h
            let numeric = (try loss(plus) - loss(minus)) / Double(2 * h)
            worst = max(worst, abs(numeric - analytic(j, c)))
            largest = max(largest, abs(numeric))
        }
        #expect(worst <= 1e-2 * max(largest, 1e-3), "finite differences: max |diff| \(worst), largest gradient \(largest)")
    }
}

@Suite struct SharedRowTests {
    /// Prompts that begin alike share their first rows; features and the summed gradients of shared
    /// vectors are the same as with every row computed apart.
    @Test func sharingRowsIsExact() throws {
        let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip")
        let weights = try CLIPWeights.load(path: root.appendingPathComponent("tiny_gelu_f16/model.safetensors").path)
        let text = TextTransformer(weights)
        let learner = PromptLearner(className: "bottle", width: weights.configuration.text.width, seed: 3, anomalyPrompts: 3)
        let prompts = learner.prompts(tokenizer: .shared, contextLength: weights.configuration.text.contextLength)
        let (shared, sharedTape) = try text.forwardTaped(prompts.map(\.prompt))
        let (apart, apartTape) = try text.forwardTaped(prompts.map(\.prompt), shareRows: false)
        #expect(sharedTape.layout.rows < apartTape.layout.rows / 2, "\(sharedTape.layout.rows) distinct rows of \(apartTape.layout.rows)")
        #expect(zip(shared.flatMap { $0 }, apart.flatMap { $0 }).allSatisfy { abs($0 - $1) < 1e-5 })
        var random = SeededRandom(seed: 8)
        let dFeatures = shared.map { $0.map { _ in random.normal() } }
        let a = learner.gradients(prompts: prompts, positionGradients: text.backward(sharedTape, featureGradients: dFeatures))
        let b = learner.gradients(prompts: prompts, positionGradients: text.backward(apartTape, featureGradients: dFeatures))
        let scale = (b.context + b.anomalyTokens).flatMap { $0 }.map(abs).max()!
        let difference = zip((a.context + a.anomalyTokens).flatMap { $0 }, (b.context + b.anomalyTokens).flatMap { $0 }).map { abs($0 - $1) }.max()!
        #expect(difference <= 1e-4 * scale, "difference \(difference), scale \(scale)")
    }
}
