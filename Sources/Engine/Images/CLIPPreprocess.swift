// OpenCLIP's evaluation transform: RGB, shorter side resized to the model's size with PIL's
// bicubic, centre crop, to [0, 1], normalised with CLIP's mean and std. Output (3, H, W).
import Foundation

public struct CLIPPreprocess: Sendable {
    public var height: Int
    public var width: Int
    /// open_clip's centre crop (the parity tests), or PromptAD's squash of the whole image (the detectors' default).
    public var geometry: InputGeometry = .centerCrop
    public static let mean: [Float] = [0.48145466, 0.4578275, 0.40821073]   // OpenAI CLIP's
    public static let std: [Float] = [0.26862954, 0.26130258, 0.27577711]

    public init(height: Int, width: Int, geometry: InputGeometry = .centerCrop) {
        self.height = height; self.width = width; self.geometry = geometry
    }
    public init(_ configuration: CLIPConfiguration, geometry: InputGeometry = .centerCrop) {
        self.init(height: configuration.vision.imageHeight, width: configuration.vision.imageWidth, geometry: geometry)
    }

    public func callAsFunction(_ image: Image) -> [Float] {
        let rgb = image.rgb()
        // The engine decodes 8-bit files exactly to k/255, so this recovers the file's bytes.
        let bytes = rgb.pixels.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
        // Resize so the image covers the target (torchvision's Resize(size) for a square target:
        // shorter side to size, the longer one int(size * long / short)), then centre crop.
        let (outW, outH): (Int, Int)
        if geometry == .squash {
            (outW, outH) = (width, height)
        } else if height == width {
            if rgb.width <= rgb.height { (outW, outH) = (width, Int(Double(width) * Double(rgb.height) / Double(rgb.width))) }
            else { (outW, outH) = (Int(Double(height) * Double(rgb.width) / Double(rgb.height)), height) }
        } else {
            // **[choice]** non-square inputs: scale to cover, then centre-crop (open_clip's ResizeKeepRatio differs in detail).
            let scale = max(Double(width) / Double(rgb.width), Double(height) / Double(rgb.height))
            (outW, outH) = (max(width, Int((Double(rgb.width) * scale).rounded())), max(height, Int((Double(rgb.height) * scale).rounded())))
        }
        let resized = PILResize.resize(bytes, width: rgb.width, height: rgb.height, channels: 3, outWidth: outW, outHeight: outH)
        let top = Int((Double(outH - height) / 2).rounded(.toNearestOrEven))    // Python's round()
        let left = Int((Double(outW - width) / 2).rounded(.toNearestOrEven))
        var out = [Float](repeating: 0, count: 3 * height * width)
        for c in 0..<3 {
            for y in 0..<height {
                for x in 0..<width {
                    let v = Float(resized[((y + top) * outW + x + left) * 3 + c]) / 255
                    out[(c * height + y) * width + x] = (v - CLIPPreprocess.mean[c]) / CLIPPreprocess.std[c]
                }
            }
        }
        return out
    }
}
