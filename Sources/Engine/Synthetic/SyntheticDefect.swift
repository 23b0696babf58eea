// Defects painted onto synthetic products, each with its exact pixel mask.
import Foundation

public enum DefectKind: String, CaseIterable, Sendable, Codable {
    case scratch, crack, hole, contamination, missing, color, bent

    /// Words for captions ("a wood with a crack").
    public var phrase: String {
        switch self {
        case .scratch: return "a scratch"
        case .crack: return "a crack"
        case .hole: return "a hole"
        case .contamination: return "contamination"
        case .missing: return "a missing piece"
        case .color: return "a colour mark"
        case .bent: return "a bent part"
        }
    }
}

/// Where and how strongly a defect is drawn, in pixels of the rendered image.
public struct DefectSpec: Sendable {
    public var kind: DefectKind
    public var center: SIMD2<Float>
    public var radius: Float
    /// 0.4 (subtle) ... 1 (plain).
    public var strength: Float
    /// Control points of scratches and cracks.
    public var path: [SIMD2<Float>]
    public var seed: UInt32
}

enum DefectGeometry {
    /// Distance from p to the polyline.
    static func distance(_ p: SIMD2<Float>, to path: [SIMD2<Float>]) -> Float {
        var best = Float.infinity
        for k in 1..<path.count {
            let a = path[k - 1], b = path[k], ab = b - a
            let t = max(0, min(1, ((p - a) * ab).sum() / max((ab * ab).sum(), 1e-6)))
            let d = p - (a + ab * t)
            best = min(best, (d * d).sum().squareRoot())
        }
        return best
    }

    /// A blob: a disk whose edge wanders with the angle (stains, colour marks, missing pieces).
    static func insideBlob(_ p: SIMD2<Float>, _ spec: DefectSpec) -> Bool {
        let d = p - spec.center
        let r = (d * d).sum().squareRoot()
        if r > spec.radius * 1.3 { return false }
        let angle = atan2f(d.y, d.x)
        let wobble = ValueNoise(seed: spec.seed).value(angle * 1.6 + 10, 3)
        return r < spec.radius * (0.7 + 0.6 * wobble)
    }
}
