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
    /// **[choice]** scaled similarities (plain cosines keep every deviation near one standard deviation; docs/method-notes.md section 6).
    public struct DeviationTerm: Sendable {
        public var loss: DeviationLoss
        public var topK: TopKMIL
        public var reference: (mean: Float, std: Float)
        /// Each training image's unit patch tokens (P, E) and whether it is anomalous.
        public var images: [(patches: [[Float]], anomalous: Bool)] { didSet { flatPatches = images.map { $0.patches.flatMap { $0 } } } }
        /// Each image's (P, E) rows as one array, for the products of every step.
        private(set) var flatPatches: [[Float]]
        public init(loss: DeviationLoss, topK: TopKMIL, reference: (mean: Float, std: Float), images: [(patches: [[Float]], anomalous: Bool)]) {
            self.loss = loss; self.topK = topK; self.reference = reference; self.images = images
            flatPatches = images.map { $0.patches.flatMap { $0 } }
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
        let E = patches[0].count, P = patches.count
        let unitNormal = normal.map(Vector.normalized), unitAnomaly = (manual + learned).map(Vector.normalized)
        let meanNormal = mean(unitNormal), meanAnomaly = mean(unitAnomaly)
        let n = Vector.normalized(meanNormal), a = Vector.normalized(meanAnomaly)
        let M = unitAnomaly.count, Q = 2 + M
        // Every patch against [n, a, a_1..a_M] in one product; the loss's gradient with respect to those rows is
        // another: d = coefficients^T F, with coefficients (P, Q) gathered per patch below.
        let F = patches.flatMap { $0 }
        let S = BLAS.matmul(F, [n, a].flatMap { $0 } + unitAnomaly.flatMap { $0 }, m: P, n: Q, k: E, transposeB: true)
        var coefficients = [Float](repeating: 0, count: P * Q)
        var v2t: Float = 0, eam: Float = 0
        let inverseP = 1 / Float(P)
        var exps = [Float](repeating: 0, count: M + 1)
        for p in 0..<P {
            let row = p * Q
            // L_v2t: cross-entropy over s [f.n, f.a_1, ..., f.a_M], target the normal prototype.
            var top = scale * S[row]
            for m in 0..<M { top = max(top, scale * S[row + 2 + m]) }
            exps[0] = expf(scale * S[row] - top)
            var total = exps[0]
            for m in 0..<M { exps[m + 1] = expf(scale * S[row + 2 + m] - top); total += exps[m + 1] }
            v2t += -scale * S[row] + top + logf(total)
            coefficients[row] = scale * (exps[0] / total - 1) * inverseP
            for m in 0..<M { coefficients[row + 2 + m] = scale * exps[m + 1] / total * inverseP }
            // L_EAM: relu(||f - n||^2 - ||f - a||^2) = relu(2 f.(a - n)) for unit n and a.
            // **[choice]** the paper's per-patch form; PromptAD's code sums over patches and relus per channel.
            let margin = 2 * (S[row + 1] - S[row])
            if margin > 0 {
                eam += margin
                coefficients[row] -= 2 * inverseP; coefficients[row + 1] += 2 * inverseP
            }
        }
        let d = BLAS.matmul(coefficients, F, m: Q, n: E, k: P, transposeA: true)
        let dn = Array(d[0..<E]); var da = Array(d[E..<(2 * E)])
        var dUnitAnomaly = (0..<M).map { m in Array(d[((2 + m) * E)..<((3 + m) * E)]) }
        v2t *= inverseP; eam *= inverseP
        // DevPrompt: d L_dev / d a = scale sum_p (d L_dev / d s(p)) f(p), averaged over the images.
        var deviation: Float = 0
        if let term, !term.images.isEmpty {
            let count = Float(term.images.count)
            for (image, flat) in zip(term.images, term.flatPatches) {
                let scores = BLAS.matmul(flat, a, m: image.patches.count, n: 1, k: E).map { scale * $0 }
                let (l, _, gradient) = term.loss.forward(patchScores: scores, anomalous: image.anomalous, topK: term.topK, reference: term.reference)
                deviation += l / count
                let dImage = BLAS.matmul(gradient.map { $0 * scale / count }, flat, m: 1, n: E, k: image.patches.count)
                for e in 0..<E { da[e] += dImage[e] }
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
