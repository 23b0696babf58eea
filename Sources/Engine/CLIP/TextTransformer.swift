// OpenCLIP's text tower: token embeddings + positions, causal transformer, ln_final, the feature at
// the end-of-text token (the largest id), @ text_projection. The causal mask means that feature
// depends only on the tokens up to it, so each prompt runs only to its end-of-text position: exact.
import Foundation

public final class TextTransformer: @unchecked Sendable {
    public let configuration: CLIPConfiguration
    let tokenEmbedding, positional, lnFinalWeight, lnFinalBias, projection: [Float]
    let blocks: [BlockWeights]

    public init(_ weights: CLIPWeights) {
        configuration = weights.configuration
        tokenEmbedding = weights.tensor(.tokenEmbedding); positional = weights.tensor(.textPositional)
        lnFinalWeight = weights.tensor(.lnFinalWeight); lnFinalBias = weights.tensor(.lnFinalBias)
        projection = weights.tensor(.textProjection)
        blocks = (0..<configuration.text.layers).map { BlockWeights(weights, .text, $0) }
    }

    /// A prompt: its token ids (start-of-text ... end-of-text, at most the context length), and
    /// vectors that replace the token embeddings at some positions (learnable context vectors).
    public struct Prompt: Sendable {
        public var tokens: [Int]
        public var replacements: [Int: [Float]]
        public init(tokens: [Int], replacements: [Int: [Float]] = [:]) { self.tokens = tokens; self.replacements = replacements }

        /// Position of the end-of-text token: the first largest id, as open_clip's argmax pooling picks it.
        public var endOfText: Int { tokens.indices.max { tokens[$0] < tokens[$1] || (tokens[$0] == tokens[$1] && $0 > $1) } ?? 0 }
    }

    /// (E) per prompt, not normalised.
    public func forward(_ prompts: [Prompt]) throws -> [[Float]] {
        let t = configuration.text
        let C = t.width
        guard !prompts.isEmpty else { return [] }
        var (x, sequences) = try embed(prompts)
        let R = sequences.last!.start + sequences.last!.length
        let workspace = BlockWorkspace(rows: R, width: C, mlpWidth: t.mlpWidth, longest: sequences.map(\.length).max()!)
        for block in blocks {
            x.withUnsafeMutableBufferPointer { xs in
                ResidualBlock.forward(xs.baseAddress!, valueValue: nil, weights: block, workspace: workspace, sequences: sequences,
                                      width: C, heads: t.heads, mlpWidth: t.mlpWidth, activation: configuration.activation, causal: true)
            }
        }
        // The last row of each sequence is its end-of-text token.
        var last = [Float](repeating: 0, count: prompts.count * C)
        for (i, s) in sequences.enumerated() {
            for c in 0..<C { last[i * C + c] = x[(s.start + s.length - 1) * C + c] }
        }
        last.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, lnFinalWeight, lnFinalBias, rows: prompts.count, cols: C) }
        let E = configuration.embedDimension
        let features = BLAS.matmul(last, projection, m: prompts.count, n: E, k: C)
        return (0..<prompts.count).map { Array(features[($0 * E)..<(($0 + 1) * E)]) }
    }

    /// The token embedding of an id, (C): the starting point of learnable prompts.
    public func embedding(of token: Int) -> [Float] {
        let C = configuration.text.width
        return Array(tokenEmbedding[(token * C)..<((token + 1) * C)])
    }
}

extension TextTransformer {
    /// x0 (R, C): token embeddings (or replacements) plus positions, each prompt to its end-of-text token.
    func embed(_ prompts: [Prompt]) throws -> (rows: [Float], sequences: [(start: Int, length: Int)]) {
        let t = configuration.text
        let C = t.width
        var sequences: [(start: Int, length: Int)] = []
        for (i, prompt) in prompts.enumerated() {
            guard !prompt.tokens.isEmpty, prompt.tokens.count <= t.contextLength else {
                throw EngineError.invalidInput("prompt \(i): \(prompt.tokens.count) tokens, the context holds 1...\(t.contextLength)")
            }
            if let bad = prompt.tokens.first(where: { $0 < 0 || $0 >= t.vocabularySize }) {
                throw EngineError.invalidInput("prompt \(i): token id \(bad) outside the vocabulary of \(t.vocabularySize)")
            }
            for (position, vector) in prompt.replacements where position < 0 || position >= prompt.tokens.count || vector.count != C {
                throw EngineError.invalidInput("prompt \(i): replacement at \(position) must be inside the prompt and have \(C) values")
            }
            sequences.append((start: sequences.last.map { $0.start + $0.length } ?? 0, length: prompt.endOfText + 1))
        }
        guard !prompts.isEmpty else { throw EngineError.invalidInput("no prompts") }
        let R = sequences.last!.start + sequences.last!.length
        var x = [Float](repeating: 0, count: R * C)
        for (prompt, s) in zip(prompts, sequences) {
            for position in 0..<s.length {
                let row = (s.start + position) * C
                if let vector = prompt.replacements[position] {
                    for c in 0..<C { x[row + c] = vector[c] + positional[position * C + c] }
                } else {
                    let token = prompt.tokens[position] * C
                    for c in 0..<C { x[row + c] = tokenEmbedding[token + c] + positional[position * C + c] }
                }
            }
        }
        return (x, sequences)
    }
}
