// Reverse-mode gradients through the text tower: with respect to the token embeddings that prompt
// learning replaces (context vectors, learned anomaly tokens; the weights frozen, so only input
// gradients flow), and, for pretraining, every weight's. The forward pass is TextTransformer.run
// keeping its tape; the backward pass retraces it call for call, in reverse.
// Size letters: R stacked tokens of all prompts, U distinct rows among them, C width, B prompts, E embedding.
import Foundation

/// What the backward pass needs from a forward pass: every block's tape and the end-of-text rows.
public final class TextTape {
    var prompts: [TextTransformer.Prompt] = []
    var layout = TokenLayout(sequences: [], heads: 1)
    var blocks: [BlockTape] = []
    let buffers = BlockBuffers()
    var finalRows: [Float] = []        // (B, C) the end-of-text rows before ln_final
    var normedFinal: [Float] = []      // (B, C) after it

    init() {}

    func prepare(prompts: [TextTransformer.Prompt], layout: TokenLayout, layers: Int) {
        self.prompts = prompts; self.layout = layout
        if blocks.count != layers { blocks = (0..<layers).map { _ in BlockTape() } }
    }

    /// The residual-stream row of stacked row r.
    func row(_ r: Int) -> Int { layout.shared?.distinct[r] ?? r }
}

extension TextTransformer {
    /// The same features as `forward`, and the tape for `backward`. `shareRows`: compute rows that
    /// equal prompts' prefixes make equal once (exact; false only to check that it is).
    public func forwardTaped(_ prompts: [Prompt], shareRows: Bool = true) throws -> (features: [[Float]], tape: TextTape) {
        guard !prompts.isEmpty else { throw EngineError.invalidInput("no prompts") }
        try validate(prompts)
        let tape = TextTape()
        let features = run(prompts, shareRows: shareRows, tape: tape)
        return (features, tape)
    }

    /// dx (U, C): the gradient at the embedded rows (token or replacement plus position), from the gradient at each
    /// prompt's feature (B, E). With `g`, every weight's gradient is added to it; without, the weights are frozen.
    func embeddingGradients(_ tape: TextTape, dFeatures: [Float], into g: inout CLIPParameters?) -> [Float] {
        let C = configuration.text.width, E = configuration.embedDimension, B = tape.prompts.count
        let layout = tape.layout, sequences = layout.sequences
        precondition(dFeatures.count == B * E, "backward: one (E) gradient per prompt")
        // features = ln_final(last) @ projection
        g?.withGradient(.textProjection) { BLAS.sgemm(tape.normedFinal, transposeA: true, dFeatures, $0, m: C, n: E, k: B, beta: 1) }
        let dNormed = BLAS.matmul(dFeatures, projection, m: B, n: C, k: E, transposeB: true)
        var dLast = [Float](repeating: 0, count: B * C)
        if g != nil {
            g!.layerNormBackward(&dLast, dNormed, tape.finalRows, lnFinalWeight, .lnFinalWeight, .lnFinalBias, rows: B, cols: C)
        } else {
            LayerNorm.backward(&dLast, dNormed, tape.finalRows, lnFinalWeight, rows: B, cols: C)
        }
        var dx = [Float](repeating: 0, count: layout.rows * C)
        for (i, s) in sequences.enumerated() {
            let u = tape.row(s.start + s.length - 1)
            for c in 0..<C { dx[u * C + c] += dLast[i * C + c] }
        }
        dx.withUnsafeMutableBufferPointer { d in
            for i in blocks.indices.reversed() {
                if g != nil {
                    g!.withBlockGradients(.text, i) { block.backward(d.baseAddress!, tape.blocks[i], blocks[i], into: &$0, layout: layout, buffers: tape.buffers) }
                } else {
                    var frozen: BlockGradients? = nil
                    block.backward(d.baseAddress!, tape.blocks[i], blocks[i], into: &frozen, layout: layout, buffers: tape.buffers)
                }
            }
        }
        return dx
    }

    /// Gradients of a loss with respect to each prompt's replaced embeddings, given the loss's
    /// gradient with respect to each prompt's feature (E). Returns, per prompt, position -> (C).
    public func backward(_ tape: TextTape, featureGradients: [[Float]]) -> [[Int: [Float]]] {
        let C = configuration.text.width, E = configuration.embedDimension
        precondition(featureGradients.count == tape.prompts.count && featureGradients.allSatisfy { $0.count == E }, "backward: one (E) gradient per prompt")
        var frozen: CLIPParameters? = nil
        let dx = embeddingGradients(tape, dFeatures: featureGradients.flatMap { $0 }, into: &frozen)
        // x0 = embedding + position: the gradient of a replaced embedding is dx at its row. A shared
        // row's gradient is the sum over its copies; each copy reports an equal share, so summing over
        // prompts (as PromptLearner.gradients does) gives it back.
        var copies = [Int](repeating: 0, count: tape.layout.rows)
        for r in 0..<tape.layout.stackedRows { copies[tape.row(r)] += 1 }
        return zip(tape.prompts, tape.layout.sequences).map { prompt, s in
            var out: [Int: [Float]] = [:]
            for position in prompt.replacements.keys where position < s.length {
                let u = tape.row(s.start + position), share = 1 / Float(copies[u])
                out[position] = dx[(u * C)..<((u + 1) * C)].map { $0 * share }
            }
            return out
        }
    }

    /// Pretraining: every weight's gradient from the gradient at each caption's feature, the token and position
    /// embeddings' included (a shared row's embedding is read once, so it takes its gradient once).
    func backward(_ tape: TextTape, dFeatures: [Float], into g: inout CLIPParameters) {
        let C = configuration.text.width
        var all: CLIPParameters? = g
        g = CLIPParameters(configuration: configuration, values: [:])      // no second reference while `all` changes
        let dx = embeddingGradients(tape, dFeatures: dFeatures, into: &all)
        g = all!; all = nil
        var taken = [Bool](repeating: false, count: tape.layout.rows)
        g.withGradients(.tokenEmbedding, .textPositional) { dToken, dPositional in
            for (prompt, s) in zip(tape.prompts, tape.layout.sequences) {
                for i in 0..<s.length {
                    let u = tape.row(s.start + i)
                    guard !taken[u] else { continue }
                    taken[u] = true
                    let token = prompt.tokens[i] * C, position = i * C
                    for c in 0..<C { dToken[token + c] += dx[u * C + c]; dPositional[position + c] += dx[u * C + c] }
                }
            }
        }
    }
}
