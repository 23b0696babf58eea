import Foundation

/// The engine's seeded source of uniform and normal numbers (the synthetic benchmark, prompt initialisation,
/// the deviation loss's reference prior, CutPaste): the same seed gives the same numbers on every machine.
public struct SeededRandom: Sendable {
    var generator: SplitMix64
    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    public mutating func uniform() -> Float { Float(generator.next() >> 40) / Float(1 << 24) }
    public mutating func uniform(_ range: ClosedRange<Float>) -> Float { range.lowerBound + (range.upperBound - range.lowerBound) * uniform() }
    public mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(generator.next() % UInt64(range.count)) }
    public mutating func normal() -> Float {
        let u1 = max(uniform(), 1e-7), u2 = uniform()
        return (-2 * logf(u1)).squareRoot() * cosf(2 * .pi * u2)
    }
    public mutating func next() -> UInt64 { generator.next() }
}
