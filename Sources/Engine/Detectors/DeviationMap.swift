// DevPrompt's pixel scores (paper Eq. 6): a patch's deviation from the reference prior,
// d(p) = |s_a(p) - mu_R| / sigma_R with s_a(p) = s f(p).a, the scaled similarity to the anomaly prototype.
import Foundation

public enum DeviationMap {
    /// (P) values in [0, 1) for fusion with the visual map: d / (d + a), one half at the margin a.
    /// **[choice]** ranks patches as d does, lies in [0, 1) like PromptAD's text map, and unlike erf(d/sqrt 2) never saturates in Float.
    public static func map(patches: [[Float]], anomaly: [Float], scale: Float, reference: (mean: Float, std: Float), margin: Float) -> [Float] {
        deviations(patches: patches, anomaly: anomaly, scale: scale, reference: reference).map { $0 / ($0 + margin) }
    }

    /// The raw deviations d(p), as Figure 1 shows them.
    public static func deviations(patches: [[Float]], anomaly: [Float], scale: Float, reference: (mean: Float, std: Float)) -> [Float] {
        patches.map { abs(scale * Vector.dot($0, anomaly) - reference.mean) / reference.std }
    }
}
