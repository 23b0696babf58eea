// Image-level AUROC: one anomaly score per image against its label (defective = true).
public enum ImageAUROC {
    /// Exact and tie-aware, equal to sklearn.metrics.roc_auc_score; nan when one class is absent.
    public static func compute(scores: [Float], labels: [Bool]) -> Double {
        RankedScores(scores: scores, labels: labels).auroc()
    }

    /// A percentile bootstrap interval: `resamples` draws of the images with replacement, seeded.
    /// Draws without both classes are redrawn, as a resample without them has no AUROC.
    public static func bootstrapInterval(scores: [Float], labels: [Bool], confidence: Double = 0.95,
                                         resamples: Int = 1000, seed: UInt64 = 0) -> ClosedRange<Double> {
        precondition(scores.count == labels.count && !scores.isEmpty, "bootstrap: need scores with labels")
        var drawnScores = [Float](repeating: 0, count: scores.count), drawnLabels = [Bool](repeating: false, count: scores.count)
        return Bootstrap.interval(count: scores.count, confidence: confidence, resamples: resamples, seed: seed) { drawn in
            for (i, j) in drawn.enumerated() { drawnScores[i] = scores[j]; drawnLabels[i] = labels[j] }
            return compute(scores: drawnScores, labels: drawnLabels)
        }
    }
}
