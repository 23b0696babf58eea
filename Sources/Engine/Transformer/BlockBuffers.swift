// A tower's scratch for its blocks, forward and backward: the blocks run one after another, so one
// set serves them all, sized once per batch. Size letters: U residual rows, R stacked rows, B sequences.
import Foundation

final class BlockBuffers {
    // Forward
    let normed = FloatBuffer()             // (U, C)
    let qkv = FloatBuffer()                // (R, 3C)
    let qkvDistinct = FloatBuffer()        // (U, 3C) before the shared rows are expanded
    let attention = FloatBuffer()          // (R, C)
    let attentionDistinct = FloatBuffer()  // (U, C)
    let hidden = FloatBuffer()             // (U, M)
    let firstRows = FloatBuffer()          // (B, C) the class rows, when only they are read after a block
    let scores = FloatBuffer()             // (cores, L, L): one score matrix per core, for the longest sequence
    // Backward
    let dHidden = FloatBuffer()            // (U, M)
    let dPre = FloatBuffer()               // (U, M)
    let dNormed = FloatBuffer()            // (U, C)
    let dAttention = FloatBuffer()         // (R, C)
    let dAttentionDistinct = FloatBuffer() // (U, C)
    let dqkv = FloatBuffer()               // (R, 3C)
    let dqkvDistinct = FloatBuffer()       // (U, 3C)
    let dValue = FloatBuffer()             // (R, C) the V-V stream's gradient at V

    init() {}

    func prepare(_ block: TransformerBlock, _ layout: TokenLayout, backward: Bool = false) {
        let U = layout.rows, R = layout.stackedRows, C = block.width, M = block.mlpWidth
        normed.reserve(U * C); qkv.reserve(R * 3 * C); attention.reserve(R * C); hidden.reserve(U * M)
        firstRows.reserve(layout.sequences.count * C)
        scores.reserve(Parallel.cores * layout.longest * layout.longest)
        if layout.shared != nil { qkvDistinct.reserve(U * 3 * C); attentionDistinct.reserve(U * C) }
        guard backward else { return }
        dHidden.reserve(U * M); dPre.reserve(U * M); dNormed.reserve(U * C); dAttention.reserve(R * C)
        dqkv.reserve(R * 3 * C); dValue.reserve(R * C)
        if layout.shared != nil { dAttentionDistinct.reserve(U * C); dqkvDistinct.reserve(U * 3 * C) }
    }
}
