// The pretraining objective. CLIP's symmetric InfoNCE over a batch of images and captions with a
// learnable temperature, targets soft over captions that say the same thing (same product, same
// normal/defective state: prototype 2's fix for a batch holding many equal captions); and a dense
// term that teaches localisation: each patch token against its product's normal and defect prompts,
// the label from the generator's exact mask. Gradients are with respect to the raw (unnormalised) features.
import Foundation

/// The patch tokens the dense term aligns with the prompts.
public enum DenseTokens: String, Codable, Sendable, CaseIterable {
    /// PromptAD's V-V surgery tokens: what its text maps and zero-shot maps read.
    case valueValue = "value-value"
    /// The ordinary stream's last patch tokens (the first shipped model's recipe; its V-V maps came out inverted).
    case ordinary
}

public struct PretrainingLoss: Sendable {
    /// Weight of the dense term.
    public var denseWeight: Float = 1
    /// Which patch tokens the dense term reads (after ln_post and the projection). **[choice]** the V-V tokens,
    /// which PromptAD's text maps and the zero-shot maps read; `.ordinary` trains the stream the pooled embedding comes from.
    public var denseTokens: DenseTokens = .valueValue
    /// A patch counts as defective when the mask covers at least this fraction of it; covered less (but not
    /// at all), it is left out of the dense term.
    public var defectCoverage: Float = 0.25

    public init(denseWeight: Float = 1) { self.denseWeight = denseWeight }

    public struct Result {
        public var loss: Float, contrastive: Float, dense: Float
        var dImages: [[Float]], dCaptions: [[Float]], dPatches: [[[Float]]], dPrompts: [[Float]], dLogitScale: Float
    }

    /// images (B, E) and captions (B, E) raw; `labels[b]` groups equal captions; patches (B, P, E) raw patch
    /// tokens with their coverage by the mask (B, P); prompts (2K, E): product k's normal prompt at 2k, defect prompt at 2k+1;
    /// `products[b]` the k of image b. `logitScale` is the raw parameter t, the scale exp(t) capped at 100.
    func compute(images: [[Float]], captions: [[Float]], labels: [Int], patches: [[[Float]]], coverage: [[Float]],
                 prompts: [[Float]], products: [Int], logitScale t: Float) -> Result {
        let B = images.count
        let s = min(expf(t), 100), capped = expf(t) > 100
        let I = images.map(Vector.normalized), T = captions.map(Vector.normalized)
        var logits = [[Float]](repeating: [Float](repeating: 0, count: B), count: B)
        for i in 0..<B { for j in 0..<B { logits[i][j] = s * Vector.dot(I[i], T[j]) } }
        // Soft targets: uniform over the captions with the image's label (the matrix is symmetric).
        let target: [[Float]] = (0..<B).map { i in
            let same = (0..<B).filter { labels[$0] == labels[i] }
            return (0..<B).map { same.contains($0) ? 1 / Float(same.count) : 0 }
        }
        var dLogits = [[Float]](repeating: [Float](repeating: 0, count: B), count: B)
        var contrastive: Float = 0
        for direction in 0..<2 {
            for i in 0..<B {
                let row = (0..<B).map { direction == 0 ? logits[i][$0] : logits[$0][i] }
                let top = row.max()!
                let exps = row.map { expf($0 - top) }, total = exps.reduce(0, +)
                for j in 0..<B {
                    let p = exps[j] / total
                    contrastive -= target[i][j] * (row[j] - top - logf(total)) / Float(2 * B)
                    let d = (p - target[i][j]) / Float(2 * B)
                    if direction == 0 { dLogits[i][j] += d } else { dLogits[j][i] += d }
                }
            }
        }
        var dI = [[Float]](repeating: [Float](repeating: 0, count: I[0].count), count: B), dT = dI
        var dScale: Float = 0
        for i in 0..<B { for j in 0..<B where dLogits[i][j] != 0 {
            let g = dLogits[i][j]
            dScale += g * logits[i][j] / s
            for e in 0..<I[i].count { dI[i][e] += g * s * T[j][e]; dT[j][e] += g * s * I[i][e] }
        } }

        // Dense term: two-way softmax s [z.n_k, z.a_k] per patch, defect and normal patches averaged apart.
        let units = prompts.map(Vector.normalized)
        var dUnits = units.map { [Float](repeating: 0, count: $0.count) }
        var dPatches = patches.map { $0.map { [Float](repeating: 0, count: $0.count) } }
        var defectCount = 0, normalCount = 0
        for b in 0..<B { for p in coverage[b].indices {
            if coverage[b][p] >= defectCoverage { defectCount += 1 } else if coverage[b][p] == 0 { normalCount += 1 }
        } }
        var dense: Float = 0
        for b in 0..<B {
            let n = units[2 * products[b]], a = units[2 * products[b] + 1]
            for (p, raw) in patches[b].enumerated() {
                let cover = coverage[b][p]
                let defect = cover >= defectCoverage
                guard defect || cover == 0 else { continue }
                let weight = denseWeight / Float(defect ? defectCount : normalCount) / (defectCount > 0 ? 2 : 1)
                let z = Vector.normalized(raw)
                let ln = s * Vector.dot(z, n), la = s * Vector.dot(z, a)
                let top = max(ln, la)
                let pa = expf(la - top) / (expf(ln - top) + expf(la - top))
                dense -= weight * (defect ? logf(max(pa, 1e-12)) : logf(max(1 - pa, 1e-12)))
                let dla = weight * (pa - (defect ? 1 : 0))     // d/d la; d/d ln = -dla
                dScale += dla * (la - ln) / s
                var dz = [Float](repeating: 0, count: z.count)
                for e in 0..<z.count {
                    dz[e] = s * dla * (a[e] - n[e])
                    dUnits[2 * products[b] + 1][e] += s * dla * z[e]
                    dUnits[2 * products[b]][e] -= s * dla * z[e]
                }
                dPatches[b][p] = PromptADLoss.normalizeBackward(raw, dz)
            }
        }
        return Result(loss: contrastive + dense, contrastive: contrastive, dense: dense,
                      dImages: zip(images, dI).map { PromptADLoss.normalizeBackward($0, $1) },
                      dCaptions: zip(captions, dT).map { PromptADLoss.normalizeBackward($0, $1) },
                      dPatches: dPatches, dPrompts: zip(prompts, dUnits).map { PromptADLoss.normalizeBackward($0, $1) },
                      dLogitScale: capped ? 0 : dScale * s)
    }
}
