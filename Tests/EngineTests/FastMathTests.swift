import Engine
import Foundation
import Testing

@Suite struct FastMathTests {
    /// Every 1/64 from -12 to 12, against libm in double precision.
    static let xs: [Float] = stride(from: -12.0, through: 12.0, by: 1.0 / 64).map { Float($0) }

    @Test func erfAndGELUAreWithinAFewTenMillionths() {
        for x in Self.xs {
            let d = Double(x)
            #expect(abs(Double(FastMath.erf(x)) - Foundation.erf(d)) < 4e-7, "erf(\(x))")
            let exact = 0.5 * d * (1 + Foundation.erf(d / 2.0.squareRoot()))
            #expect(abs(Double(FastMath.gelu(x)) - exact) < 4e-7 * max(1, abs(d)), "gelu(\(x))")
        }
    }

    @Test func expIsWithinAFewUlps() {
        for x in stride(from: -80.0, through: 80.0, by: 0.37).map({ Float($0) }) {
            let exact = Foundation.exp(Double(x))
            #expect(abs(Double(FastMath.exp(x)) - exact) / exact < 5e-7, "exp(\(x))")
        }
        #expect(abs(Double(FastMath.quickGELU(2)) - 2 / (1 + Foundation.exp(-3.404))) < 1e-6)
        #expect(FastMath.quickGELU(0) == 0)
    }
}
