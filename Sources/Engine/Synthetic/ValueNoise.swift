// Deterministic lattice noise for the synthetic textures: a hash of integer coordinates and a
// seed, smoothly interpolated, summed over octaves.
import Foundation

public struct ValueNoise: Sendable {
    public var seed: UInt32

    public init(seed: UInt32) { self.seed = seed }

    @inline(__always) func hash(_ x: Int32, _ y: Int32) -> Float {
        var h = UInt32(bitPattern: x) &* 374_761_393 &+ UInt32(bitPattern: y) &* 668_265_263 &+ seed &* 2_654_435_761
        h = (h ^ (h >> 13)) &* 1_274_126_177
        h ^= h >> 16
        return Float(h & 0xFFFFFF) / Float(0xFFFFFF)
    }

    /// Smooth noise in [0, 1] at (x, y), one lattice cell per unit.
    @inline(__always) public func value(_ x: Float, _ y: Float) -> Float {
        let x0 = floorf(x), y0 = floorf(y)
        let fx = x - x0, fy = y - y0
        let sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy)
        let ix = Int32(x0), iy = Int32(y0)
        let a = hash(ix, iy), b = hash(ix + 1, iy), c = hash(ix, iy + 1), d = hash(ix + 1, iy + 1)
        return (a + (b - a) * sx) * (1 - sy) + (c + (d - c) * sx) * sy
    }

    /// Fractal sum of `octaves` octaves, each at twice the frequency and half the amplitude; in [0, 1].
    public func fractal(_ x: Float, _ y: Float, octaves: Int = 4) -> Float {
        var sum: Float = 0, amplitude: Float = 0.5, frequency: Float = 1, norm: Float = 0
        for _ in 0..<octaves {
            sum += amplitude * value(x * frequency, y * frequency)
            norm += amplitude
            amplitude *= 0.5
            frequency *= 2
        }
        return sum / norm
    }
}
