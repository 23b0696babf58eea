// An endless, seeded stream of fresh captioned images for pretraining a small CLIP: never a fixed
// pool (a prototype memorised a 48k-image pool and learned nothing that transferred). Some defect
// kinds never appear in it, so tests on them measure generalisation to unseen anomalies.
import Foundation

public struct CaptionedImage: Sendable {
    public var image: Image
    public var caption: String
    /// (height, width) of `image`, 1 = defect.
    public var mask: [Float]
    public var product: SyntheticProduct
    /// The defect the caption names; nil when the caption says flawless (also for a crop that misses the defect).
    public var defect: DefectKind?
}

public struct CaptionStream: Sendable {
    public var size: Int
    /// Side of random crops; nil: whole images.
    public var cropSize: Int?
    /// Kept out of the stream, for testing on unseen anomalies.
    public var reserved: Set<DefectKind>
    public var defectiveFraction: Float
    private var random: SeededRandom

    public static let defaultReserved: Set<DefectKind> = [.bent, .color]

    public init(seed: UInt64, size: Int = 128, cropSize: Int? = nil, reserved: Set<DefectKind> = CaptionStream.defaultReserved,
                defectiveFraction: Float = 0.5) {
        self.size = size; self.cropSize = cropSize; self.reserved = reserved; self.defectiveFraction = defectiveFraction
        random = SeededRandom(seed: seed ^ 0x5EED_5EED)
    }

    static let flawless = ["a photo of a flawless {}", "a photo of a normal {}", "a close-up photo of a perfect {}", "a photo of an intact {}"]
    static let damaged = ["a photo of a {} with {}", "a close-up photo of a {} with {}", "a photo of a damaged {}: {}"]

    public mutating func next() -> CaptionedImage {
        let product = SyntheticProduct.allCases[random.int(0..<SyntheticProduct.allCases.count)]
        let allowed = DefectKind.allCases.filter { !reserved.contains($0) }
        let kind: DefectKind? = random.uniform() < defectiveFraction && !allowed.isEmpty ? allowed[random.int(0..<allowed.count)] : nil
        let variation = SyntheticVariation.random(for: product, &random)
        let spec = kind.map { SyntheticRenderer.placeDefect($0, product: product, size: size, variation: variation, &random) }
        var (image, mask) = SyntheticRenderer.render(product, size: size, variation: variation, defect: spec)
        if let crop = cropSize, crop < size {
            let x0 = random.int(0..<(size - crop + 1)), y0 = random.int(0..<(size - crop + 1))
            var pixels = [Float](repeating: 0, count: crop * crop * 3), cropped = [Float](repeating: 0, count: crop * crop)
            for y in 0..<crop { for x in 0..<crop {
                for c in 0..<3 { pixels[(y * crop + x) * 3 + c] = image.pixels[((y0 + y) * size + x0 + x) * 3 + c] }
                cropped[y * crop + x] = mask[(y0 + y) * size + x0 + x]
            } }
            image = Image(width: crop, height: crop, channels: 3, pixels: pixels)
            mask = cropped
        }
        // The caption says defective only if this image (or crop) holds defect pixels.
        let shown = mask.contains { $0 != 0 } ? kind : nil
        let caption: String
        if let shown {
            caption = Self.damaged[random.int(0..<Self.damaged.count)].replacingFirst("{}", product.promptName).replacingFirst("{}", shown.phrase)
        } else {
            caption = Self.flawless[random.int(0..<Self.flawless.count)].replacingFirst("{}", product.promptName)
        }
        return CaptionedImage(image: image, caption: caption, mask: mask, product: product, defect: shown)
    }
}

extension String {
    func replacingFirst(_ target: String, _ replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}
