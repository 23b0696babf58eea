// open_clip's region at a chosen size: shorter side resized, the centre square kept.
import Foundation

public enum CenterCrop {
    /// `side` x `side`, any channels: shorter side scaled to `side` with `filter`, then the centre square.
    public static func square(_ image: Image, side: Int, filter: Resampling.Filter = .bicubic) -> Image {
        let scale = Double(side) / Double(min(image.width, image.height))
        let w = max(side, Int((Double(image.width) * scale).rounded())), h = max(side, Int((Double(image.height) * scale).rounded()))
        let resized = image.resized(width: w, height: h, filter: filter)
        return resized.cropped(x: (w - side) / 2, y: (h - side) / 2, width: side, height: side)
    }
}
