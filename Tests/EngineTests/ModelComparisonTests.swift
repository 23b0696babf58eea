@testable import Engine
import Foundation
import Testing

@Suite struct ModelComparisonTests {
    func comparison(_ model: [Double], _ control: [Double]) -> ModelComparison {
        var values: [ComparisonValue] = []
        for (i, (a, b)) in zip(model, control).enumerated() {
            values.append(ComparisonValue(metric: "m", arm: "model", className: "c\(i)", subset: "all", value: a))
            values.append(ComparisonValue(metric: "m", arm: "random", className: "c\(i)", subset: "all", value: b))
        }
        return ModelComparison(modelName: "a", controlName: "b", dataRoot: "/", unseenDefects: [], epochs: 1, values: values)
    }

    @Test func aConsistentGainHasAnIntervalAboveZeroAndANoisyOneDoesNot() {
        let steady = comparison([0.90, 0.85, 0.88, 0.92, 0.87], [0.85, 0.80, 0.84, 0.86, 0.83])
        let d = steady.difference("m", "model", "m", "random")
        #expect(abs(d.mean - 0.048) < 1e-9 && d.low > 0 && d.low < d.mean && d.mean < d.high, "a resampled interval, not a point: \(d)")
        #expect(abs(steady.mean("m", "model") - 0.884) < 1e-9)
        let noisy = comparison([0.90, 0.70, 0.95, 0.60, 0.88], [0.80, 0.85, 0.80, 0.82, 0.80])
        #expect(noisy.difference("m", "model", "m", "random").low < 0)
    }

    @Test func zeroShotScoresRankAnomalousTokensFirst() {
        let normal = Vector.normalized([1, 0, 0]), anomalous = Vector.normalized([0, 1, 0])
        let output = VisionOutput(embedding: [0.1, 1, 0], valueValueTokens: [1, 0, 0, 0, 1, 0, 0.5, 0.5, 0], taps: [:])
        let (score, map) = ZeroShot.score(output, prototypes: (normal, anomalous), embedDimension: 3)
        #expect(score > 0 && map[1] > map[2] && map[2] > map[0])
    }
}
