// PromptAD's training loss for segmentation (docs/method-notes.md section 4): L = L_v2t + L_EAM + 0.001 L_align,
// with its gradient with respect to the raw text features of the normal, manual-anomaly and
// learned-anomaly prompts (then on through TextTransformer.backward to the learnable vectors).
// Size letters: P patches, E embedding, J manual and K learned anomaly prompts.
import Foundation

public struct PromptADLoss: Sendable {
    /// The logit scale s. **[choice]** PromptAD uses the raw `logit_scale` parameter (about 4.6), not exp of it.
    public var scale: Float
    public var alignWeight: Float = 0.001

    public init(scale: Float, alignWeight: Float = 0.001) { self.scale = scale; self.alignWeight = alignWeight }

    /// DevPrompt's addition (paper Eq. 5-8): patch scores s(p) = scale f(p).a against the anomaly
    /// prototype, deviation loss with Top-K MIL per training image, averaged over the images.
    /// **[choice]** scaled similarities (plain cosines never reach the margin a; docs/method-notes.md section 6).
    public struct DeviationTerm: Sendable {
        public var loss: DeviationLoss
        public var topK: TopKMIL
        public var reference: (mean: Float, std: Float)
        /// Each training image's unit patch tokens (P, E) and whether it is anomalous.
        public var images: [(patches: [[Float]], anomalous: Bool)]
        public init(loss: DeviationLoss, topK: TopKMIL, reference: (mean: Float, std: Float), images: [(patches: [[Float]], anomalous: Bool)]) {
            self.loss = loss; self.topK = topK; self.reference = reference; self.images = images
        }
    }

    public struct Result: Sendable {
        public var loss: Float
        public var v2t: Float, eam: Float, align: Float, deviation: Float
        public var dNormal: [[Float]], dManual: [[Float]], dLearned: [[Float]]
    }

    /// `patches`: (P, E) L2-normalised V-V patch tokens of the normal shots. Features are raw (E) text features.
    /// **[choice]** prototypes average the unit-length features (each prompt weighs the same), then normalise.
    public func compute(patches: [[Float]], normal: [[Float]], manual: [[Float]], learned: [[Float]],
                        deviation term: DeviationTerm? = nil) -> Result {
        let E = patches[0].count, P = Float(patches.count)
        let unitNormal = normal.map(Vector.normalized), unitAnomaly = (manual + learned).map(Vector.normalized)
        let meanNormal = mean(unitNormal), meanAnomaly = mean(unitAnomaly)
        let n = Vector.normalized(meanNormal), a = Vector.normalized(meanAnomaly)
        let M = unitAnomaly.count
        var dn = [Float](repeating: 0, count: E), da = [Float](repeating: 0, count: E)
        var dUnitAnomaly = [[Float]](repeating: [Float](repeating: 0, count: E), count: M)
        var v2t: Float = 0, eam: Float = 0
        for f in patches {
            // L_v2t: cross-entropy over s [f.n, f.a_1, ..., f.a_M], target the normal prototype.
            let logits = [scale * Vector.dot(f, n)] + unitAnomaly.map { scale * Vector.dot(f, $0) }
            let top = logits.max()!
            let exps = logits.map { expf($0 - top) }
            let total = exps.reduce(0, +)
            v2t += -logits[0] + top + logf(total)
            for e in 0..<E { dn[e] += scale * f[e] * (exps[0] / total - 1) / P }
            for m in 0..<M { let w = scale * exps[m + 1] / total / P; for e in 0..<E { dUnitAnomaly[m][e] += w * f[e] } }
            // L_EAM: relu(||f - n||^2 - ||f - a||^2) = relu(2 f.(a - n)) for unit n and a.
            // **[choice]** the paper's per-patch form; PromptAD's code sums over patches and relus per channel.
            let margin = 2 * (Vector.dot(f, a) - Vector.dot(f, n))
            if margin > 0 {
                eam += margin
                for e in 0..<E { dn[e] -= 2 * f[e] / P; da[e] += 2 * f[e] / P }
            }
        }
        v2t /= P; eam /= P
        // DevPrompt: d L_dev / d a = scale sum_p (d L_dev / d s(p)) f(p), averaged over the images.
        var deviation: Float = 0
        if let term, !term.images.isEmpty {
            for image in term.images {
                let scores = image.patches.map { scale * Vector.dot($0, a) }
                let (l, _, gradient) = term.loss.forward(patchScores: scores, anomalous: image.anomalous, topK: term.topK, reference: term.reference)
                deviation += l / Float(term.images.count)
                for (f, g) in zip(image.patches, gradient) where g != 0 {
                    for e in 0..<E { da[e] += scale * g * f[e] / Float(term.images.count) }
                }
            }
        }
        // L_align = || mean(unit manual) - mean(unit learned) ||^2
        let J = manual.count, K = learned.count
        var align: Float = 0
        if J > 0 && K > 0 {
            let difference = zip(mean(Array(unitAnomaly[0..<J])), mean(Array(unitAnomaly[J...]))).map { $0 - $1 }
            align = Vector.dot(difference, difference)
            for j in 0..<J { for e in 0..<E { dUnitAnomaly[j][e] += alignWeight * 2 * difference[e] / Float(J) } }
            for k in 0..<K { for e in 0..<E { dUnitAnomaly[J + k][e] -= alignWeight * 2 * difference[e] / Float(K) } }
        }
        // Back through the prototypes: a = normalize(mean(unit anomaly)), n = normalize(mean(unit normal)).
        let dMeanAnomaly = Self.normalizeBackward(meanAnomaly, da)
        for m in 0..<M { for e in 0..<E { dUnitAnomaly[m][e] += dMeanAnomaly[e] / Float(M) } }
        let dMeanNormal = Self.normalizeBackward(meanNormal, dn)
        let dNormal = normal.map { Self.normalizeBackward($0, dMeanNormal.map { $0 / Float(normal.count) }) }
        let dAnomaly = zip(manual + learned, dUnitAnomaly).map { Self.normalizeBackward($0, $1) }
        return Result(loss: v2t + eam + alignWeight * align + deviation, v2t: v2t, eam: eam, align: align, deviation: deviation,
                      dNormal: dNormal, dManual: Array(dAnomaly[0..<J]), dLearned: Array(dAnomaly[J...]))
    }

    /// y = x / ||x||: dx = (dy - y (y . dy)) / ||x||.
    static func normalizeBackward(_ x: [Float], _ dy: [Float]) -> [Float] {
        let norm = Vector.dot(x, x).squareRoot()
        guard norm > 0 else { return dy.map { _ in 0 } }
        let y = x.map { $0 / norm }
        let projection = Vector.dot(y, dy)
        return zip(dy, y).map { ($0 - $1 * projection) / norm }
    }

    func mean(_ rows: [[Float]]) -> [Float] {
        var out = [Float](repeating: 0, count: rows[0].count)
        for row in rows { for e in 0..<row.count { out[e] += row[e] } }
        return out.map { $0 / Float(rows.count) }
    }
}
