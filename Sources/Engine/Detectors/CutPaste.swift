// Anomalous training samples made from a normal shot (docs/method-notes.md section 6, reading (b)):
// CutPaste (Li et al., CVPR 2021) cuts a rectangle from the image, jitters its brightness and
// pastes it elsewhere; the pasted rectangle is the mask. Deterministic from a seed.
import Foundation

public enum CutPaste {
    public struct Sample: Sendable {
        public var image: Image
        /// (height, width), 1 inside the pasted rectangle.
        public var mask: [Float]
    }

    /// `count` anomalies from `image`, each pasting a rectangle of 2-10% of the area, aspect 0.3-3.3.
    public static func synthesize(_ image: Image, count: Int, seed: UInt64) -> [Sample] {
        let source = image.rgb()
        var random = SeededRandom(seed: seed)
        let W = source.width, H = source.height
        return (0..<count).map { _ in
            let area = Float(W * H) * (0.02 + 0.08 * random.uniform())
            let aspect = expf(logf(0.3) + (logf(3.3) - logf(0.3)) * random.uniform())
            let w = min(W - 1, max(2, Int((area * aspect).squareRoot())))
            let h = min(H - 1, max(2, Int((area / aspect).squareRoot())))
            let fromX = Int(random.uniform() * Float(W - w)), fromY = Int(random.uniform() * Float(H - h))
            // The paste lands away from where it was cut, so the rectangle is out of place.
            var toX = 0, toY = 0
            for _ in 0..<20 {
                toX = Int(random.uniform() * Float(W - w)); toY = Int(random.uniform() * Float(H - h))
                if abs(toX - fromX) > w / 2 || abs(toY - fromY) > h / 2 { break }
            }
            let gain = 0.75 + 0.5 * random.uniform(), shift = 0.1 * (random.uniform() - 0.5)
            var out = source
            var mask = [Float](repeating: 0, count: W * H)
            for y in 0..<h { for x in 0..<w {
                for c in 0..<3 {
                    let v = source.pixels[((fromY + y) * W + fromX + x) * 3 + c] * gain + shift
                    out.pixels[((toY + y) * W + toX + x) * 3 + c] = min(max(v, 0), 1)
                }
                mask[(toY + y) * W + toX + x] = 1
            } }
            return Sample(image: out, mask: mask)
        }
    }
}
