import Foundation

/// PromptAD's fusion of the text map T and the visual map V: 1 / (1/T + 1/V), half their harmonic mean.
public enum HarmonicFusion {
    public static func fuse(_ t: [Float], _ v: [Float]) -> [Float] {
        precondition(t.count == v.count, "HarmonicFusion: maps of \(t.count) and \(v.count) values")
        return zip(t, v).map { a, b in a > 0 && b > 0 ? 1 / (1 / a + 1 / b) : 0 }
    }
}
