// DevNet's deviation loss with Top-K multiple-instance learning, as DevPrompt applies it to patch
// scores (paper Eq. 5-8; docs/method-notes.md section 6). Scores are compared with a reference prior of
// N(0, 1) draws: d(p) = |s(p) - mu_R| / sigma_R; the image's deviation D is the mean of its top-k
// patch deviations; L = lambda (1 - y) |D| + y max(0, a - D).
import Foundation

public struct DeviationLoss: Sendable {
    /// Weight of the normal term (Eq. 8's lambda; paper default 1).
    public var lambda: Float = 1
    /// Margin a for anomalies (paper default 5).
    public var margin: Float = 5
    /// Reference draws from N(0, 1) (DevNet: 5000).
    public var referenceCount = 5000

    public init(lambda: Float = 1, margin: Float = 5, referenceCount: Int = 5000) {
        self.lambda = lambda; self.margin = margin; self.referenceCount = referenceCount
    }

    /// mu_R and sigma_R of `referenceCount` N(0, 1) draws (population standard deviation, as Keras' K.std).
    /// **[choice]** DevNet draws afresh at every call; we draw from a seed, so a run repeats exactly.
    public func reference(seed: UInt64) -> (mean: Float, std: Float) {
        var random = SeededRandom(seed: seed)
        let draws = (0..<referenceCount).map { _ in Double(random.normal()) }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(draws.count)
        return (Float(mean), Float(variance.squareRoot()))
    }

    /// The loss for one image's patch scores (P) and its label, and d loss / d score for each patch.
    public func forward(patchScores s: [Float], anomalous: Bool, topK: TopKMIL, reference: (mean: Float, std: Float))
        -> (loss: Float, deviation: Float, gradient: [Float]) {
        let deviations = s.map { ($0 - reference.mean) / reference.std }
        let (D, chosen) = topK.pool(deviations.map(abs))
        let loss: Float, dD: Float
        if anomalous {
            loss = max(0, margin - D)
            dD = D < margin ? -1 : 0
        } else {
            loss = lambda * abs(D)
            dD = D > 0 ? lambda : (D < 0 ? -lambda : 0)
        }
        // D = (1/k) sum over the top k of |dev(p)|: d D / d s(p) = sign(dev(p)) / (k sigma) on the chosen patches.
        var gradient = [Float](repeating: 0, count: s.count)
        for p in chosen {
            let sign: Float = deviations[p] > 0 ? 1 : (deviations[p] < 0 ? -1 : 0)
            gradient[p] = dD * sign / (Float(chosen.count) * reference.std)
        }
        return (loss, D, gradient)
    }
}

/// Multiple-instance pooling: an image's score is the mean of its k largest patch scores,
/// k = max(floor(fraction * P), 1) (DevNet's code; paper default 10% of the patches).
public struct TopKMIL: Sendable {
    public var fraction: Float
    public init(fraction: Float = 0.1) { self.fraction = fraction }

    public func k(patches: Int) -> Int { max(Int(fraction * Float(patches)), 1) }

    /// Mean of the top k and the indices chosen (ties broken by the lower index).
    public func pool(_ scores: [Float]) -> (value: Float, chosen: [Int]) {
        let k = min(k(patches: scores.count), scores.count)
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        let chosen = Array(order.prefix(k))
        return (chosen.reduce(0) { $0 + scores[$1] } / Float(k), chosen)
    }
}
