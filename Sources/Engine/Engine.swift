// The numerical engine of the DevPrompt report: CLIP on OpenBLAS, detectors, data and metrics.
public enum Engine {
    /// Shown in every report footer and cache key, so results name the code that made them.
    public static let version = "0.1.0"
}
