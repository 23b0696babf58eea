// An image as the engine sees it: Float samples in [0, 1], channels interleaved, rows top first.
public struct Image: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA).
    public var channels: Int
    /// (height, width, channels), row-major.
    public var pixels: [Float]

    public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
        precondition(width > 0 && height > 0 && (1...4).contains(channels), "Image: bad shape \(width)x\(height)x\(channels)")
        precondition(pixels.count == width * height * channels, "Image: \(pixels.count) samples for \(width)x\(height)x\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    public init(width: Int, height: Int, channels: Int, fill: Float = 0) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [Float](repeating: fill, count: width * height * channels))
    }

    @inlinable
    public subscript(x x: Int, y y: Int, c c: Int) -> Float {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }

    /// The `width` x `height` rectangle whose top-left pixel is (x, y), row by row.
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> Image {
        precondition(x >= 0 && y >= 0 && w >= 0 && h >= 0 && x + w <= width && y + h <= height, "cropped: \(w)x\(h) at (\(x), \(y)) outside \(width)x\(height)")
        var out = Image(width: w, height: h, channels: channels)
        for row in 0..<h {
            let source = ((y + row) * width + x) * channels, target = row * w * channels
            out.pixels.replaceSubrange(target..<(target + w * channels), with: pixels[source..<(source + w * channels)])
        }
        return out
    }

    /// Three channels: gray is repeated, alpha is dropped (CLIP sees RGB, as PIL's `convert("RGB")`).
    public func rgb() -> Image {
        if channels == 3 { return self }
        var out = [Float](repeating: 0, count: width * height * 3)
        let n = width * height
        for i in 0..<n {
            switch channels {
            case 1, 2:
                let v = pixels[i * channels]
                out[i * 3] = v; out[i * 3 + 1] = v; out[i * 3 + 2] = v
            default:
                out[i * 3] = pixels[i * 4]; out[i * 3 + 1] = pixels[i * 4 + 1]; out[i * 3 + 2] = pixels[i * 4 + 2]
            }
        }
        return Image(width: width, height: height, channels: 3, pixels: out)
    }

    /// One channel: the first (gray or red) channel, as masks are read (non-zero = defect).
    public func firstChannel() -> Image {
        if channels == 1 { return self }
        var out = [Float](repeating: 0, count: width * height)
        for i in 0..<(width * height) { out[i] = pixels[i * channels] }
        return Image(width: width, height: height, channels: 1, pixels: out)
    }
}
