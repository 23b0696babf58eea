// Which pixels of an image the detector sees, and so which pixels its map, the ground-truth mask,
// an overlay and a figure cover: one geometry for all of them, or pixel metrics compare two regions.
import Foundation

public enum InputGeometry: String, Codable, CaseIterable, Sendable {
    /// **[choice]** PromptAD's code: the whole image resized to a square (the aspect ratio is not kept), the mask likewise.
    case squash
    /// open_clip's transform: shorter side to the model's size, the centre square kept; the mask cropped the same way.
    case centerCrop = "center-crop"

    /// The image as the detector sees it, at `side` x `side` (RGB): what overlays and figures draw maps over.
    public func view(_ image: Image, side: Int) -> Image {
        switch self {
        case .squash: return image.rgb().resized(width: side, height: side)
        case .centerCrop: return CenterCrop.square(image.rgb(), side: side)
        }
    }

    /// A ground-truth mask (non-zero = defect) at `side` x `side`, nearest-resized as PIL does, 1 or 0.
    public func mask(_ mask: Image, side: Int) -> [Float] {
        let gray = mask.firstChannel()
        let square = self == .squash ? gray.resized(width: side, height: side, filter: .nearest) : CenterCrop.square(gray, side: side, filter: .nearest)
        return square.pixels.map { $0 > 0 ? 1 : 0 }
    }

    /// A map over a whole `width` x `height` image (a tiled image's blended map) at `side` x `side`, covering the
    /// pixels a mask in this geometry covers; bilinear, as maps are upsampled.
    public func map(_ values: [Float], width: Int, height: Int, side: Int) -> [Float] {
        switch self {
        case .squash: return Resampling.resize(values, width: width, height: height, channels: 1, toWidth: side, toHeight: side, filter: .bilinear)
        case .centerCrop: return CenterCrop.square(Image(width: width, height: height, channels: 1, pixels: values), side: side, filter: .bilinear).pixels
        }
    }
}
