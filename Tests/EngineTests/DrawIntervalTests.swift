@testable import Engine
import Testing

/// The mean over draws and its 95% Student-t interval, against values computed by hand (scipy.stats.t.ppf(0.975, n - 1)).
@Suite struct DrawIntervalTests {
    @Test func threeDrawsUseTheTQuantileOfTwoDegrees() {
        let i = DrawInterval([80, 82, 84])
        // mean 82, sd 2, half-width 4.303 * 2 / sqrt(3) = 4.9687
        #expect(abs(i.mean - 82) < 1e-12)
        #expect(abs(i.high - 82 - 4.303 * 2 / 3.0.squareRoot()) < 1e-9 && abs(82 - i.low - (i.high - 82)) < 1e-9)
        #expect(i.draws == 3)
    }

    @Test func oneDrawHasNoWidthAndManyUseTheNormalQuantile() {
        let one = DrawInterval([70])
        #expect(one.low == 70 && one.high == 70)
        let many = DrawInterval((0..<40).map { Double($0 % 2) })
        let sd = (Double(40) / 4 / 39).squareRoot()
        #expect(abs((many.high - many.low) / 2 - 1.96 * sd / 40.0.squareRoot()) < 1e-9)
        #expect(DrawInterval.t975(degrees: 4) == 2.776 && DrawInterval.t975(degrees: 30) == 2.042)
    }
}
