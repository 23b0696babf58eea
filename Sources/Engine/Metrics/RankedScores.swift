// Scores with binary labels, sorted by score, grouped into distinct thresholds: the common
// ground of every ranking metric here (ties handled as scikit-learn handles them).

/// Per distinct score, from the highest: how many positives and negatives share it.
public struct RankedScores: Sendable {
    public var thresholds: [Float]
    public var positives: [Int]
    public var negatives: [Int]
    public var totalPositives: Int { positives.reduce(0, +) }
    public var totalNegatives: Int { negatives.reduce(0, +) }

    public init(scores: [Float], labels: [Bool]) {
        precondition(scores.count == labels.count, "RankedScores: \(scores.count) scores for \(labels.count) labels")
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var thresholds: [Float] = [], positives: [Int] = [], negatives: [Int] = []
        for i in order {
            if thresholds.last != scores[i] {
                thresholds.append(scores[i]); positives.append(0); negatives.append(0)
            }
            if labels[i] { positives[positives.count - 1] += 1 } else { negatives[negatives.count - 1] += 1 }
        }
        self.thresholds = thresholds; self.positives = positives; self.negatives = negatives
    }

    init(thresholds: [Float], positives: [Int], negatives: [Int]) {
        self.thresholds = thresholds; self.positives = positives; self.negatives = negatives
    }

    /// Area under the ROC curve: the trapezoids between consecutive thresholds (ties count half).
    public func auroc() -> Double {
        let P = Double(totalPositives), N = Double(totalNegatives)
        guard P > 0, N > 0 else { return .nan }
        var tp = 0.0, area = 0.0
        for (p, n) in zip(positives, negatives) {
            area += Double(n) * (tp + Double(p) / 2)
            tp += Double(p)
        }
        return area / (P * N)
    }

    /// scikit-learn's average_precision_score: sum over thresholds of (R_k - R_{k-1}) P_k.
    public func averagePrecision() -> Double {
        let P = Double(totalPositives)
        guard P > 0 else { return .nan }
        var tp = 0.0, fp = 0.0, ap = 0.0
        for (p, n) in zip(positives, negatives) {
            tp += Double(p); fp += Double(n)
            ap += Double(p) / P * (tp / (tp + fp))
        }
        return ap
    }

    /// The largest F1 over thresholds (precision_recall_curve's points), and the threshold that gives it.
    public func f1Max() -> (f1: Double, threshold: Float) {
        let P = Double(totalPositives)
        var tp = 0.0, fp = 0.0
        var best = (f1: 0.0, threshold: thresholds.first ?? 0)
        for (k, (p, n)) in zip(positives, negatives).enumerated() {
            tp += Double(p); fp += Double(n)
            let precision = tp / (tp + fp), recall = P > 0 ? tp / P : 0
            let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
            if f1 > best.f1 { best = (f1, thresholds[k]) }
        }
        return best
    }
}
