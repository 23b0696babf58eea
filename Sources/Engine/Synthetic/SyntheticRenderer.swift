// Renders one image of a synthetic product: its pose and lighting, an optional defect with its
// exact mask, and sensor noise.
import Foundation

public struct SyntheticVariation: Sendable {
    public var shift: SIMD2<Float>      // product units (the image spans 2)
    public var rotation: Float          // radians
    public var phase: SIMD2<Float>      // texture offset, product units
    public var gain: Float
    public var gradient: SIMD2<Float>   // lighting slope across the image
    public var noise: Float             // sensor noise, standard deviation
    public var noiseSeed: UInt64

    /// A normal image's pose and light, drawn from the product's range of variation.
    public static func random(for product: SyntheticProduct, _ random: inout SeededRandom) -> SyntheticVariation {
        let maxShift = product.maximumShift
        return SyntheticVariation(
            shift: SIMD2(random.uniform(-maxShift...maxShift), random.uniform(-maxShift...maxShift)),
            rotation: product.freeRotation ? random.uniform(0...(2 * .pi)) : random.uniform(-0.05...0.05),
            phase: product.isTexture ? SIMD2(random.uniform(0...3), random.uniform(0...3)) : .zero,
            gain: random.uniform(0.9...1.1), gradient: SIMD2(random.uniform(-0.08...0.08), random.uniform(-0.08...0.08)),
            noise: random.uniform(0.015...0.03), noiseSeed: random.next())
    }
}

public enum SyntheticRenderer {
    /// RGB image (size x size) and mask (1 = defect).
    public static func render(_ product: SyntheticProduct, size: Int, variation v: SyntheticVariation,
                              defect: DefectSpec? = nil) -> (image: Image, mask: [Float]) {
        let S = Float(size)
        let cosR = cosf(-v.rotation), sinR = sinf(-v.rotation)
        var pixels = [Float](repeating: 0, count: size * size * 3)
        var mask = [Float](repeating: 0, count: size * size)
        let background = product.shade(50, 50).0
        var noise = SeededRandom(seed: v.noiseSeed)
        for y in 0..<size {
            for x in 0..<size {
                var p = SIMD2<Float>(Float(x) + 0.5, Float(y) + 0.5)
                var defective = false
                // Bent: a swirl of the product under a disk; defective where it moves the pattern by over half a pixel.
                if let d = defect, d.kind == .bent {
                    let off = p - d.center
                    let r = (off * off).sum().squareRoot()
                    if r < d.radius {
                        let angle = 0.9 * d.strength * (1 - r / d.radius) * (1 - r / d.radius)
                        let rotated = SIMD2(off.x * cosf(angle) - off.y * sinf(angle), off.x * sinf(angle) + off.y * cosf(angle))
                        if ((rotated - off) * (rotated - off)).sum() > 0.25 { defective = true }
                        p = d.center + rotated
                    }
                }
                // Image pixel -> product coordinates: centre, undo the pose, add the texture phase.
                let q = p / S * 2 - 1 - v.shift
                let u = q.x * cosR - q.y * sinR + v.phase.x, w = q.x * sinR + q.y * cosR + v.phase.y
                var (color, onObject) = product.shade(u, w)
                if let d = defect {
                    let pixel = SIMD2<Float>(Float(x) + 0.5, Float(y) + 0.5)
                    let allowed = product.isTexture || onObject
                    switch d.kind {
                    case .scratch:
                        let dist = DefectGeometry.distance(pixel, to: d.path)
                        if allowed && dist < 1.3 { color = color + (SIMD3(repeating: 0.95) - color) * (0.45 * d.strength); defective = true }
                    case .crack:
                        let dist = DefectGeometry.distance(pixel, to: d.path)
                        if allowed && dist < 1.1 + 0.8 * d.strength { color = color * (1 - 0.7 * d.strength); defective = true }
                    case .hole:
                        let off = (pixel - d.center) / SIMD2(d.radius, d.radius * 0.8)
                        if allowed && (off * off).sum() < 1 { color = SIMD3(0.03, 0.03, 0.03) + color * (0.25 * (1 - d.strength)); defective = true }
                    case .contamination:
                        if allowed && DefectGeometry.insideBlob(pixel, d) {
                            let stain = SIMD3<Float>(0.5, 0.42, 0.15) * (0.8 + 0.4 * ValueNoise(seed: d.seed).value(pixel.x / 3, pixel.y / 3))
                            color = color + (stain - color) * (0.45 * d.strength); defective = true
                        }
                    case .color:
                        if allowed && DefectGeometry.insideBlob(pixel, d) {
                            color = color + SIMD3<Float>(-0.1, 0.04, 0.14) * d.strength; defective = true
                        }
                    case .missing:
                        if DefectGeometry.insideBlob(pixel, d) && allowed {
                            // Objects lose material down to the background; textures lose their pattern.
                            color = product.isTexture ? SIMD3(repeating: 0.5) * 0.5 + color * 0.25 * (1 - d.strength) + 0.2 : background
                            defective = true
                        }
                    case .bent:
                        if !allowed { defective = false }
                    }
                }
                let light = v.gain * (1 + v.gradient.x * (Float(x) / S - 0.5) + v.gradient.y * (Float(y) / S - 0.5))
                let i = (y * size + x) * 3
                for c in 0..<3 { pixels[i + c] = min(1, max(0, color[c] * light + v.noise * noise.normal())) }
                mask[y * size + x] = defective ? 1 : 0
            }
        }
        return (Image(width: size, height: size, channels: 3, pixels: pixels), mask)
    }

    /// A defect of `kind` for this product and pose: placed on the object (at its edge for a missing
    /// piece), sized to about 0.5-5% of the image, of random strength.
    public static func placeDefect(_ kind: DefectKind, product: SyntheticProduct, size: Int, variation v: SyntheticVariation,
                                   _ random: inout SeededRandom) -> DefectSpec {
        let S = Float(size)
        func onObject(_ p: SIMD2<Float>) -> Bool {
            let q = p / S * 2 - 1 - v.shift
            let c = cosf(-v.rotation), s = sinf(-v.rotation)
            return product.shade(q.x * c - q.y * s + v.phase.x, q.x * s + q.y * c + v.phase.y).1
        }
        var center = SIMD2<Float>(S / 2, S / 2)
        for _ in 0..<400 {
            let candidate = SIMD2(random.uniform(0.12...0.88) * S, random.uniform(0.12...0.88) * S)
            guard onObject(candidate) else { continue }
            if kind == .missing && !product.isTexture {
                // At the edge: some point 0.06 S away is off the object.
                let edge = (0..<8).contains { k in
                    let a = Float(k) * .pi / 4
                    return !onObject(candidate + SIMD2(cosf(a), sinf(a)) * 0.06 * S)
                }
                guard edge else { continue }
            }
            center = candidate
            break
        }
        let radius = random.uniform(0.04...0.13) * S * (kind == .hole ? 0.45 : 1)
        var path: [SIMD2<Float>] = []
        if kind == .scratch || kind == .crack {
            let length = random.uniform(0.12...0.3) * S
            var heading = random.uniform(0...(2 * .pi))
            var point = center - SIMD2(cosf(heading), sinf(heading)) * length / 2
            let steps = kind == .crack ? 12 : 6
            path.append(point)
            for _ in 0..<steps {
                heading += kind == .crack ? random.uniform(-0.7...0.7) : random.uniform(-0.12...0.12)
                point += SIMD2(cosf(heading), sinf(heading)) * length / Float(steps)
                path.append(point)
            }
        }
        return DefectSpec(kind: kind, center: center, radius: radius, strength: random.uniform(0.3...0.85), path: path,
                          seed: UInt32(truncatingIfNeeded: random.next()))
    }
}
