// The region CLIP's preprocessing sees, at a chosen size: shorter side resized, centre square kept.
import Foundation

public enum CenterCrop {
    /// RGB, `side` x `side`: shorter side scaled to `side` (bicubic), then the centre square.
    public static func square(_ image: Image, side: Int) -> Image {
        let rgb = image.rgb()
        let scale = Double(side) / Double(min(rgb.width, rgb.height))
        let w = max(side, Int((Double(rgb.width) * scale).rounded())), h = max(side, Int((Double(rgb.height) * scale).rounded()))
        let resized = rgb.resized(width: w, height: h)
        let x0 = (w - side) / 2, y0 = (h - side) / 2
        var out = Image(width: side, height: side, channels: 3)
        for y in 0..<side { for x in 0..<side { for c in 0..<3 { out[x: x, y: y, c: c] = resized[x: x0 + x, y: y0 + y, c: c] } } }
        return out
    }
}
