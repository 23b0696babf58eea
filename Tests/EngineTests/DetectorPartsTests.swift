import Engine
import Foundation
import Testing

/// The pure pieces of PromptAD and DevPrompt: visual memory, harmonic fusion, deviation loss, Top-K MIL.
@Suite struct DetectorPartsTests {
    @Test func visualMemoryScoresByNearestCosine() {
        // Tap of width 2: the memory holds directions (1,0) and (0,1).
        let memory = VisualMemory(shots: [[[1, 0, 0, 3]]], widths: [2])
        let scores = memory.score([[2, 0, -1, 0, 1, 1]])
        #expect(abs(scores[0] - 0) < 1e-6, "same direction as a memory token")
        #expect(abs(scores[1] - 0.5) < 1e-6, "(-1,0): best cosine 0 -> (1 - 0) / 2")
        #expect(abs(scores[2] - (1 - 0.70710677) / 2) < 1e-6)
        // Two taps are averaged.
        let two = VisualMemory(shots: [[[1, 0], [0, 1]]], widths: [2, 2])
        #expect(abs(two.score([[1, 0], [1, 0]])[0] - 0.25) < 1e-6)
    }

    @Test func harmonicFusionIsHalfTheHarmonicMean() {
        let fused = HarmonicFusion.fuse([0.5, 0.2, 0], [0.5, 0.8, 0.7])
        #expect(abs(fused[0] - 0.25) < 1e-7 && abs(fused[1] - 0.16) < 1e-7 && fused[2] == 0)
    }

    @Test func topKTakesTenPercentAndAtLeastOne() {
        let mil = TopKMIL(fraction: 0.1)
        #expect(mil.k(patches: 225) == 22 && mil.k(patches: 5) == 1)
        let (value, chosen) = TopKMIL(fraction: 0.5).pool([1, 5, 3, 5])
        #expect(value == 5 && chosen == [1, 3])
    }

    @Test func referenceIsStandardNormal() {
        let r = DeviationLoss().reference(seed: 1)
        #expect(abs(r.mean) < 0.05 && abs(r.std - 1) < 0.05)
        #expect(DeviationLoss().reference(seed: 1) == r, "seeded")
    }

    @Test func lossMatchesEquation8() {
        let loss = DeviationLoss(lambda: 1, margin: 5)
        let ref = (mean: Float(0), std: Float(1))
        // Normal image: L = |D|, D = mean of the top-k |dev|.
        let normal = loss.forward(patchScores: [0.5, -2, 1], anomalous: false, topK: TopKMIL(fraction: 0.34), reference: ref)
        #expect(normal.deviation == 2 && normal.loss == 2)
        // Anomalous image below the margin: L = a - D; at or above it: 0.
        let low = loss.forward(patchScores: [3, 1], anomalous: true, topK: TopKMIL(fraction: 0.5), reference: ref)
        #expect(low.loss == 2)
        let high = loss.forward(patchScores: [7, 1], anomalous: true, topK: TopKMIL(fraction: 0.5), reference: ref)
        #expect(high.loss == 0 && high.gradient == [0, 0])
        #expect(DeviationLoss(lambda: 0.1).forward(patchScores: [0.5, -2, 1], anomalous: false, topK: TopKMIL(fraction: 0.34), reference: ref).loss == 0.2)
    }

    @Test(arguments: [false, true])
    func gradientMatchesFiniteDifferences(_ anomalous: Bool) {
        let loss = DeviationLoss(lambda: 0.7, margin: 5)
        let ref = loss.reference(seed: 3)
        var random = SeededRandom(seed: 9)
        let scores = (0..<50).map { _ in random.normal() * (anomalous ? 0.8 : 2) }   // anomalous: below the margin, so it pulls
        let mil = TopKMIL(fraction: 0.1)
        let (_, _, gradient) = loss.forward(patchScores: scores, anomalous: anomalous, topK: mil, reference: ref)
        for p in 0..<scores.count {
            var plus = scores, minus = scores
            let h: Float = 1e-3
            plus[p] += h; minus[p] -= h
            let numeric = (loss.forward(patchScores: plus, anomalous: anomalous, topK: mil, reference: ref).loss
                           - loss.forward(patchScores: minus, anomalous: anomalous, topK: mil, reference: ref).loss) / (2 * h)
            #expect(abs(numeric - gradient[p]) < 2e-3, "patch \(p): numeric \(numeric), analytic \(gradient[p])")
        }
        #expect(gradient.filter { $0 != 0 }.count == mil.k(patches: 50))
    }
}
