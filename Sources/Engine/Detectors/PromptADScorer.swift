// PromptAD's (and DevPrompt's) inference for one test image (docs/method-notes.md section 5): the text map
// from the V-V patch tokens against the normal and anomaly prototypes, the visual-memory map, their
// harmonic fusion, and the image score from the pooled embedding and the visual map.
import Foundation

public struct PromptADScorer: Sendable {
    /// Unit normal and anomaly prototypes (E).
    public var normal: [Float]
    public var anomaly: [Float]
    /// The logit scale s (PromptAD: the raw logit_scale parameter).
    public var scale: Float

    public init(normalFeatures: [[Float]], anomalyFeatures: [[Float]], scale: Float) {
        func prototype(_ rows: [[Float]]) -> [Float] {
            let units = rows.map(Vector.normalized)
            var mean = [Float](repeating: 0, count: units[0].count)
            for u in units { for e in 0..<u.count { mean[e] += u[e] / Float(units.count) } }
            return Vector.normalized(mean)
        }
        normal = prototype(normalFeatures); anomaly = prototype(anomalyFeatures); self.scale = scale
    }

    /// p(abnormal) = softmax(s [f.n, f.a])[1] for a unit feature f.
    public func abnormalProbability(_ f: [Float]) -> Float {
        let n = scale * Vector.dot(f, normal), a = scale * Vector.dot(f, anomaly)
        return 1 / (1 + expf(n - a))
    }

    /// The text map (P) from unit V-V patch tokens.
    public func textMap(_ patches: [[Float]]) -> [Float] { patches.map(abnormalProbability) }

    /// Fused patch map: 1 / (1/T + 1/V).
    public func fusedMap(patches: [[Float]], visual: [Float]) -> [Float] {
        HarmonicFusion.fuse(textMap(patches), visual)
    }

    /// Image score: 1 / (1 / max(visual map) + 1 / p_abnormal(pooled embedding)).
    public func imageScore(pooled: [Float], visualMap: [Float]) -> Float {
        HarmonicFusion.fuse([visualMap.max() ?? 0], [abnormalProbability(Vector.normalized(pooled))])[0]
    }
}
