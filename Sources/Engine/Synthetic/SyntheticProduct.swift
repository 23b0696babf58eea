// The synthetic benchmark's products: five textures and four objects in the spirit of MVTec AD's.
// Each class is one product (fixed colours, material, design); images differ only by a few pixels
// of position, a little rotation (free for the screw), lighting, sensor noise and texture phase.
import Foundation

public enum SyntheticProduct: String, CaseIterable, Sendable, Codable {
    case grid, carpet, wood, tile, leather      // textures
    case bottle, nut, pill, screw               // objects

    public var isTexture: Bool { [.grid, .carpet, .wood, .tile, .leather].contains(self) }

    /// The name used in prompts ("a photo of a flawless wood").
    public var promptName: String { self == .nut ? "metal nut" : rawValue }

    var noise: ValueNoise { ValueNoise(seed: UInt32(SyntheticProduct.allCases.firstIndex(of: self)! + 17)) }

    /// Colour at product coordinates (u, v) (about [-1, 1] across the image), and whether it is on the object.
    func shade(_ u: Float, _ v: Float) -> (SIMD3<Float>, Bool) {
        let n = noise
        switch self {
        case .grid:
            // A woven wire mesh: wires along both axes, each crossing alternately over and under.
            let period: Float = 0.14
            let fu = u / period - floorf(u / period), fv = v / period - floorf(v / period)
            let wireU = max(0, 1 - abs(fu - 0.5) / 0.17), wireV = max(0, 1 - abs(fv - 0.5) / 0.17)
            let cell = (Int(floorf(u / period)) + Int(floorf(v / period))) & 1
            let wire = cell == 0 ? max(wireU, wireV * 0.8) : max(wireV, wireU * 0.8)
            let base = SIMD3<Float>(0.22, 0.22, 0.2), metal = SIMD3<Float>(0.72, 0.72, 0.68)
            return (base + (metal - base) * (wire * wire) * (0.9 + 0.1 * n.value(u * 30, v * 30)), true)
        case .carpet:
            // Dense fibres: stretched high-frequency noise over a slower tuft pattern.
            let fibres = n.fractal(u * 60, v * 18, octaves: 3), tufts = n.value(u * 9 + 40, v * 9)
            let t = 0.55 * fibres + 0.45 * tufts
            return (SIMD3<Float>(0.42, 0.17, 0.14) * (0.65 + 0.7 * t), true)
        case .wood:
            // Grain: bent parallel streaks, darker late-wood lines, fine pores.
            let bend = 0.7 * n.fractal(u * 1.5, v * 0.35, octaves: 3)
            let rings = 0.5 + 0.5 * sinf(2 * .pi * (u * 4.5 + bend * 2.2))
            let pores = n.value(u * 80, v * 12)
            let light = SIMD3<Float>(0.72, 0.52, 0.31), dark = SIMD3<Float>(0.45, 0.29, 0.15)
            return (dark + (light - dark) * (0.25 + 0.6 * rings * rings + 0.15 * pores), true)
        case .tile:
            // Square tiles with grout and dark speckles baked into the glaze.
            let size: Float = 0.5
            let fu = u / size - floorf(u / size), fv = v / size - floorf(v / size)
            let grout = min(min(fu, 1 - fu), min(fv, 1 - fv)) < 0.035
            if grout { return (SIMD3<Float>(0.5, 0.49, 0.46) * (0.9 + 0.2 * n.value(u * 50, v * 50)), true) }
            let speckle = n.value(u * 45, v * 45) > 0.86 ? Float(0.55) : 1
            return (SIMD3<Float>(0.84, 0.82, 0.77) * speckle * (0.95 + 0.05 * n.value(u * 6, v * 6)), true)
        case .leather:
            // Grain of small rounded cells, low contrast.
            let cells = n.fractal(u * 22, v * 22, octaves: 2), fine = n.value(u * 90, v * 90)
            let t = 0.6 * cells + 0.2 * fine
            return (SIMD3<Float>(0.44, 0.27, 0.17) * (0.7 + 0.5 * t), true)
        case .bottle:
            // Seen from above: brown glass, a lighter rim ring, a dark opening.
            let r = (u * u + v * v).squareRoot()
            let background = SIMD3<Float>(0.07, 0.07, 0.09)
            if r > 0.78 { return (background, false) }
            if r < 0.28 { return (SIMD3<Float>(0.04, 0.03, 0.02), true) }
            if r > 0.42 && r < 0.52 { return (SIMD3<Float>(0.62, 0.45, 0.24) * (1.1 - 0.3 * abs(r - 0.47) / 0.05), true) }
            let glass = SIMD3<Float>(0.33, 0.2, 0.09) * (0.8 + 0.4 * (1 - r)) + SIMD3<Float>(repeating: 0.03 * n.value(u * 20, v * 20))
            return (glass, true)
        case .nut:
            // A hexagonal metal nut on a light background, with a threaded hole.
            let background = SIMD3<Float>(0.86, 0.86, 0.84)
            let angle = atan2f(v, u), r = (u * u + v * v).squareRoot()
            let sector = (angle + .pi) / (.pi / 3)
            let local = (sector - floorf(sector) - 0.5) * (.pi / 3)
            let hexRadius = 0.68 * cosf(.pi / 6) / cosf(local)
            if r > hexRadius { return (background, false) }
            if r < 0.27 { return (background * 0.95, false) }
            if r < 0.34 { return (SIMD3<Float>(0.32, 0.32, 0.34) * (0.8 + 0.3 * (0.5 + 0.5 * sinf(angle * 24))), true) }
            let brushed = n.value(r * 60, angle * 4)
            return (SIMD3<Float>(0.55, 0.55, 0.58) * (0.85 + 0.25 * brushed) * (1 - 0.15 * (r - 0.34)), true)
        case .pill:
            // A white capsule-shaped pill with red speckles and an imprinted line, on a dark tray.
            let background = SIMD3<Float>(0.16, 0.18, 0.2)
            let du = max(abs(u) - 0.4, 0), d = (du * du + v * v).squareRoot()
            if d > 0.3 { return (background, false) }
            let speckle = n.value(u * 70, v * 70) > 0.9 ? SIMD3<Float>(0.75, 0.25, 0.2) : SIMD3<Float>(0.93, 0.91, 0.87)
            let imprint: Float = abs(u) < 0.012 && abs(v) < 0.2 ? 0.75 : 1
            return (speckle * imprint * (0.9 + 0.1 * (1 - d / 0.3)), true)
        case .screw:
            // A screw lying on a light surface: threaded shank and a round head; it may point anywhere.
            let background = SIMD3<Float>(0.88, 0.88, 0.86)
            let head = ((u - 0.55) * (u - 0.55) + v * v).squareRoot()
            if head < 0.17 { return (SIMD3<Float>(0.45, 0.45, 0.47) * (1.05 - 0.4 * head), true) }
            if u > -0.7 && u < 0.55 && abs(v) < 0.075 {
                let thread = 0.5 + 0.5 * sinf(u * 2 * .pi / 0.045 + v * 20)
                return (SIMD3<Float>(0.38, 0.38, 0.4) * (0.75 + 0.35 * thread) * (1 - 2 * abs(v)), true)
            }
            return (background, false)
        }
    }

    /// Variation between two normal images of the product, in pixels and degrees.
    var maximumShift: Float { isTexture ? 0 : 0.03 }
    var freeRotation: Bool { self == .screw }
}
