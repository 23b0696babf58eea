// OpenCLIP's text tower: token embeddings + positions, causal transformer, ln_final, the feature at
// the end-of-text token (the largest id), @ text_projection. The causal mask means that feature
// depends only on the tokens up to it, so each prompt runs only to its end-of-text position: exact.
import Foundation

public final class TextTransformer: @unchecked Sendable {
    public let configuration: CLIPConfiguration
    let tokenEmbedding, positional, lnFinalWeight, lnFinalBias, projection: [Float]
    let blocks: [BlockWeights]
    let block: TransformerBlock

    public init(_ weights: CLIPWeights) {
        configuration = weights.configuration
        tokenEmbedding = weights.tensor(.tokenEmbedding); positional = weights.tensor(.textPositional)
        lnFinalWeight = weights.tensor(.lnFinalWeight); lnFinalBias = weights.tensor(.lnFinalBias)
        projection = weights.tensor(.textProjection)
        let t = configuration.text
        blocks = (0..<t.layers).map { BlockWeights(weights, .text, $0) }
        block = TransformerBlock(width: t.width, heads: t.heads, mlpWidth: t.mlpWidth, activation: configuration.activation, causal: true)
    }

    /// A prompt: its token ids (start-of-text ... end-of-text, at most the context length), and
    /// vectors that replace the token embeddings at some positions (learnable context vectors).
    public struct Prompt: Sendable {
        public var tokens: [Int]
        public var replacements: [Int: [Float]]
        /// Prompts share rows only within a group: the backward sums a shared row's gradient into one prompt,
        /// right within one learner but not across learners trained in one batch (whose parameters may start equal).
        public var group: Int
        public init(tokens: [Int], replacements: [Int: [Float]] = [:], group: Int = 0) {
            self.tokens = tokens; self.replacements = replacements; self.group = group
        }

        /// Position of the end-of-text token: the first largest id, as open_clip's argmax pooling picks it.
        public var endOfText: Int { tokens.indices.max { tokens[$0] < tokens[$1] || (tokens[$0] == tokens[$1] && $0 > $1) } ?? 0 }
    }

    /// (E) per prompt, not normalised.
    public func forward(_ prompts: [Prompt]) throws -> [[Float]] {
        guard !prompts.isEmpty else { return [] }
        try validate(prompts)
        return run(prompts, shareRows: true, tape: nil)
    }

    /// The tower: embeddings, the causal blocks over the distinct rows, ln_final at each end-of-text row, @ text_projection.
    /// With a tape, every step is kept for `backward`. The prompts are validated (`validate`), at least one.
    func run(_ prompts: [Prompt], shareRows: Bool, tape: TextTape?) -> [[Float]] {
        let t = configuration.text
        let C = t.width, B = prompts.count, E = configuration.embedDimension
        let (stacked, sequences) = embed(prompts)
        // Rows shared by prompts' common prefixes run once; when no row is shared the stacked rows are the stream.
        let shared = shareRows ? SharedRows(prompts, sequences: sequences) : nil
        let layout = TokenLayout(sequences: sequences, shared: shared.flatMap { $0.count < $0.distinct.count ? $0 : nil }, heads: t.heads)
        var x = stacked                                   // (U, C) the residual stream's distinct rows
        if let shared = layout.shared {
            x = [Float](repeating: 0, count: layout.rows * C)
            stacked.withUnsafeBufferPointer { e in x.withUnsafeMutableBufferPointer { shared.pick(e.baseAddress!, into: $0.baseAddress!, width: C) } }
        }
        tape?.prepare(prompts: prompts, layout: layout, layers: blocks.count)
        let buffers = tape?.buffers ?? BlockBuffers()
        x.withUnsafeMutableBufferPointer { xs in
            for (i, weights) in blocks.enumerated() {
                block.forward(xs.baseAddress!, weights, layout: layout, buffers: buffers, tape: tape?.blocks[i])
            }
        }
        // The last row of each sequence is its end-of-text token.
        var last = [Float](repeating: 0, count: B * C)
        for (i, s) in sequences.enumerated() {
            let row = layout.shared?.distinct[s.start + s.length - 1] ?? (s.start + s.length - 1)
            for c in 0..<C { last[i * C + c] = x[row * C + c] }
        }
        tape?.finalRows = last
        last.withUnsafeMutableBufferPointer { LayerNorm.forward($0.baseAddress!, $0.baseAddress!, lnFinalWeight, lnFinalBias, rows: B, cols: C) }
        tape?.normedFinal = last
        let features = BLAS.matmul(last, projection, m: B, n: E, k: C)
        return (0..<B).map { Array(features[($0 * E)..<(($0 + 1) * E)]) }
    }

    /// The token embedding of an id, (C): the starting point of learnable prompts.
    public func embedding(of token: Int) -> [Float] {
        let C = configuration.text.width
        return Array(tokenEmbedding[(token * C)..<((token + 1) * C)])
    }
}

extension TextTransformer {
    /// Each prompt inside the context and the vocabulary, each replacement inside its prompt and of the width.
    func validate(_ prompts: [Prompt]) throws {
        let t = configuration.text
        for (i, prompt) in prompts.enumerated() {
            guard !prompt.tokens.isEmpty, prompt.tokens.count <= t.contextLength else {
                throw EngineError.invalidInput("prompt \(i): \(prompt.tokens.count) tokens, the context holds 1...\(t.contextLength)")
            }
            if let bad = prompt.tokens.first(where: { $0 < 0 || $0 >= t.vocabularySize }) {
                throw EngineError.invalidInput("prompt \(i): token id \(bad) outside the vocabulary of \(t.vocabularySize)")
            }
            for (position, vector) in prompt.replacements where position < 0 || position >= prompt.tokens.count || vector.count != t.width {
                throw EngineError.invalidInput("prompt \(i): replacement at \(position) must be inside the prompt and have \(t.width) values")
            }
        }
    }

    /// x0 (R, C): token embeddings (or replacements) plus positions, each prompt to its end-of-text token (prompts validated).
    func embed(_ prompts: [Prompt]) -> (rows: [Float], sequences: [(start: Int, length: Int)]) {
        let C = configuration.text.width
        var sequences: [(start: Int, length: Int)] = []
        for prompt in prompts { sequences.append((start: sequences.last.map { $0.start + $0.length } ?? 0, length: prompt.endOfText + 1)) }
        let R = sequences.last.map { $0.start + $0.length } ?? 0
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
