@testable import Engine
import Foundation
import Testing

/// The report's grid: draws of the shot, paired differences and the draws a gap needs.
@Suite struct GridBookkeepingTests {
    @Test func drawsStepTheSeedAndLeavePromptADsShotAfterTheFirst() {
        var c = ExperimentConfiguration(dataset: .mvtec, className: "bottle")
        c.method = .devprompt
        let draws = c.draws(5)
        #expect(draws.map(\.seed) == [111, 112, 113, 114, 115])
        #expect(draws.map(\.promptADShots) == [true, false, false, false, false])
        #expect(Set(draws).count == 5, "five distinct experiments")
        c.method = .winclip
        #expect(c.draws(5) == [c], "zero-shot: no shot to draw, one experiment")
    }

    @Test func pairedDifferenceCentresOnTheMeanAndNarrowsWithLessNoise() {
        // Class offsets cancel in the pairing; only the draw-to-draw noise is left.
        let noisy = [[1.0, 3.0, 2.0, 0.0, 4.0], [2.5, 1.5, 2.0, 3.0, 1.0], [0.0, 4.0, 2.0, 2.0, 2.0]]
        let d = PairedDifference(noisy, resamples: 4000, seed: 3)
        #expect(abs(d.mean - 2.0) < 1e-12)
        #expect(d.low < 2 && d.high > 2 && d.low > 0, "[\(d.low), \(d.high)]")
        let quiet = PairedDifference(noisy.map { $0.map { 2 + ($0 - 2) / 10 } }, resamples: 4000, seed: 3)
        #expect(quiet.high - quiet.low < (d.high - d.low) / 5)
        #expect(PairedDifference(noisy, resamples: 4000, seed: 3).low == d.low, "seeded: repeatable")
        // The pooled within-class deviation, from the rows' sums of squares about their means (all 2), 12 degrees of freedom.
        let ss: [Double] = [10, 2.5, 8]
        #expect(abs(d.drawDeviation - (ss.reduce(0, +) / 12).squareRoot()) < 1e-12)
    }

    @Test func drawsToResolveAGapHaveEightyPercentPower() {
        let d = PairedDifference([[0, 2], [1, 1]], resamples: 100)
        // s = 1: over 2 classes, n = 16 gives (t(30) 2.042 + 0.842) / sqrt(32) = 0.510 > 0.5, n = 17: 2.884 / sqrt(34) = 0.495.
        #expect(d.drawsToResolve(gap: 0.5, classes: 2) == 17)
        // One class: n = 31 gives (t(30) 2.042 + 0.842) / sqrt(31) = 0.518; n = 32, (1.96 + 0.842) / sqrt(32) = 0.495 (t past 30 degrees: 1.96).
        #expect(d.drawsToResolve(gap: 0.5, classes: 1) == 32)
        #expect(d.drawsToResolve(gap: 100, classes: 1) == 2, "never fewer than two draws")
    }
}
