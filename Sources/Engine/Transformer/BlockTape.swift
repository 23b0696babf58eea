// What one block's forward pass keeps for its backward pass; the buffers are kept from step to step
// (a training step's tapes run to hundreds of MB). Size letters: U residual rows, R stacked rows, C width, M MLP width.
import Foundation

final class BlockTape {
    let input = FloatBuffer()       // (U, C)
    let normed1 = FloatBuffer()     // (U, C) ln_1(input)
    let qkv = FloatBuffer()         // (R, 3C)
    let probs = FloatBuffer()       // per sequence and head (L, L), packed as TokenLayout.probsOffsets says
    let attention = FloatBuffer()   // (U, C) before the out-projection
    let middle = FloatBuffer()      // (U, C) after the attention residual
    let normed2 = FloatBuffer()     // (U, C) ln_2(middle)
    let pre = FloatBuffer()         // (U, M) before the activation
    let hidden = FloatBuffer()      // (U, M) after it
    let valueValueProbs = FloatBuffer()      // V-V stream: per sequence and head (L, L), packed
    let valueValueAttention = FloatBuffer()  // (R, C) V-V attention before the out-projection

    init() {}

    func prepare(_ block: TransformerBlock, _ layout: TokenLayout, valueValue: Bool) {
        let U = layout.rows, R = layout.stackedRows, C = block.width, M = block.mlpWidth, probsCount = layout.probsOffsets.last!
        for buffer in [input, normed1, attention, middle, normed2] { buffer.reserve(U * C) }
        qkv.reserve(R * 3 * C); probs.reserve(probsCount); pre.reserve(U * M); hidden.reserve(U * M)
        if valueValue { valueValueProbs.reserve(probsCount); valueValueAttention.reserve(R * C) }
    }
}
