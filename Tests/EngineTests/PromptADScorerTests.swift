import Engine
import Foundation
import Testing

@Suite struct PromptADScorerTests {
    @Test func textMapAndImageScoreFollowPromptAD() {
        let scorer = PromptADScorer(normalFeatures: [[2, 0]], anomalyFeatures: [[0, 1], [0, 3]], scale: 4.6)
        #expect(scorer.normal == [1, 0] && scorer.anomaly == [0, 1])
        // A patch on the normal prototype: softmax(4.6 [1, 0])[1] = 1 / (1 + e^4.6).
        let map = scorer.textMap([[1, 0], [0, 1]])
        #expect(abs(map[0] - 1 / (1 + expf(4.6))) < 1e-7 && abs(map[1] - 1 / (1 + expf(-4.6))) < 1e-7)
        let fused = scorer.fusedMap(patches: [[0, 1]], visual: [0.3])
        #expect(abs(fused[0] - 1 / (1 / map[1] + 1 / 0.3)) < 1e-7)
        let image = scorer.imageScore(pooled: [0, 5], visualMap: [0.1, 0.4])
        #expect(abs(image - 1 / (1 / 0.4 + 1 / map[1])) < 1e-7)
    }
}
