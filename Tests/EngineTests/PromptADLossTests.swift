@testable import Engine
import Foundation
import Testing

@Suite struct PromptADLossTests {
    static func randomRows(_ n: Int, _ e: Int, _ random: inout SeededRandom, unit: Bool = false) -> [[Float]] {
        (0..<n).map { _ in let v = (0..<e).map { _ in random.normal() }; return unit ? Vector.normalized(v) : v }
    }

    @Test(arguments: [false, true])
    func gradientsMatchFiniteDifferences(_ withDeviation: Bool) {
        var random = SeededRandom(seed: 4)
        let E = 6
        let patches = Self.randomRows(9, E, &random, unit: true)
        let normal = Self.randomRows(1, E, &random), manual = Self.randomRows(3, E, &random), learned = Self.randomRows(2, E, &random)
        let loss = PromptADLoss(scale: 4.6, alignWeight: 0.5)   // a larger align weight so its gradient shows
        let term = withDeviation ? PromptADLoss.DeviationTerm(loss: DeviationLoss(lambda: 1, margin: 5), topK: TopKMIL(fraction: 0.3),
                                                              reference: (mean: 0.1, std: 0.9), images: [(patches, false), (Array(patches.prefix(4)), true)]) : nil
        let result = loss.compute(patches: patches, normal: normal, manual: manual, learned: learned, deviation: term)
        #expect(!withDeviation || result.deviation > 0)
        #expect(result.v2t > 0 && result.align > 0)
        let h: Float = 1e-3
        var worst: Float = 0, largest: Float = 0
        for (group, index) in [(0, 0), (1, 0), (1, 2), (2, 1)] {
            for e in 0..<E {
                func perturbed(_ delta: Float) -> Float {
                    var n = normal, m = manual, l = learned
                    switch group { case 0: n[index][e] += delta; case 1: m[index][e] += delta; default: l[index][e] += delta }
                    return loss.compute(patches: patches, normal: n, manual: m, learned: l, deviation: term).loss
                }
                let numeric = (perturbed(h) - perturbed(-h)) / (2 * h)
                let analytic = [result.dNormal, result.dManual, result.dLearned][group][index][e]
                worst = max(worst, abs(numeric - analytic)); largest = max(largest, abs(numeric))
            }
        }
        #expect(worst <= 2e-2 * max(largest, 1e-2), "max |diff| \(worst), largest \(largest)")
    }

    @Test func lossIsLowWhenPatchesSitAtTheNormalPrototype() {
        var random = SeededRandom(seed: 5)
        let E = 8
        let normal = Self.randomRows(1, E, &random)
        let anomalies = Self.randomRows(4, E, &random)
        let atNormal = Array(repeating: Vector.normalized(normal[0]), count: 5)
        let atAnomaly = Array(repeating: Vector.normalized(anomalies[0]), count: 5)
        let loss = PromptADLoss(scale: 4.6)
        let good = loss.compute(patches: atNormal, normal: normal, manual: Array(anomalies[0..<2]), learned: Array(anomalies[2...]))
        let bad = loss.compute(patches: atAnomaly, normal: normal, manual: Array(anomalies[0..<2]), learned: Array(anomalies[2...]))
        #expect(good.loss < bad.loss && good.eam == 0)
    }
}
