// Resizing float images and maps: bilinear as torch's F.interpolate(align_corners=False), nearest
// for masks as PIL samples it (the source pixel under each output pixel's centre), PIL's
// antialiased bicubic on floats.
import Foundation

public enum Resampling {
    public enum Filter: Sendable { case nearest, bilinear, bicubic }

    /// Each output sample's two source samples and the second one's weight (torch, align_corners=False).
    static func bilinearTaps(_ outSize: Int, _ inSize: Int) -> [(Int, Int, Float)] {
        let scale = Float(inSize) / Float(outSize)
        return (0..<outSize).map { o in
            let src = max(0, (Float(o) + 0.5) * scale - 0.5)
            let i0 = min(Int(src), inSize - 1), i1 = min(i0 + 1, inSize - 1)
            return (i0, i1, src - Float(i0))
        }
    }

    /// Resizes (height, width, channels) interleaved Float samples.
    public static func resize(_ pixels: [Float], width: Int, height: Int, channels: Int,
                              toWidth outW: Int, toHeight outH: Int, filter: Filter) -> [Float] {
        precondition(pixels.count == width * height * channels, "resize: \(pixels.count) samples for \(width)x\(height)x\(channels)")
        if outW == width && outH == height { return pixels }
        switch filter {
        case .nearest:
            var out = [Float](repeating: 0, count: outW * outH * channels)
            for y in 0..<outH {
                let sy = min(height - 1, Int((Double(y) + 0.5) * Double(height) / Double(outH)))
                for x in 0..<outW {
                    let sx = min(width - 1, Int((Double(x) + 0.5) * Double(width) / Double(outW)))
                    for c in 0..<channels { out[(y * outW + x) * channels + c] = pixels[(sy * width + sx) * channels + c] }
                }
            }
            return out
        case .bilinear:
            let xs = bilinearTaps(outW, width), ys = bilinearTaps(outH, height)
            var out = [Float](repeating: 0, count: outW * outH * channels)
            for (y, (y0, y1, fy)) in ys.enumerated() {
                for (x, (x0, x1, fx)) in xs.enumerated() {
                    for c in 0..<channels {
                        let a = pixels[(y0 * width + x0) * channels + c], b = pixels[(y0 * width + x1) * channels + c]
                        let d = pixels[(y1 * width + x0) * channels + c], e = pixels[(y1 * width + x1) * channels + c]
                        out[(y * outW + x) * channels + c] = (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy
                    }
                }
            }
            return out
        case .bicubic:
            // PIL's kernel and support, in floating point (no 8-bit rounding between the passes).
            func weights(_ inSize: Int, _ outSize: Int) -> [(Int, [Float])] {
                PILResize.coefficients(inSize: inSize, outSize: outSize, filter: .bicubic)
                    .map { ($0.start, $0.weights.map { Float($0) / Float(1 << PILResize.precisionBits) }) }
            }
            let wx = weights(width, outW), wy = weights(height, outH)
            var horizontal = [Float](repeating: 0, count: outW * height * channels)
            for y in 0..<height { for (x, (start, w)) in wx.enumerated() { for c in 0..<channels {
                var sum: Float = 0
                for (k, weight) in w.enumerated() { sum += pixels[(y * width + start + k) * channels + c] * weight }
                horizontal[(y * outW + x) * channels + c] = sum
            } } }
            var out = [Float](repeating: 0, count: outW * outH * channels)
            for (y, (start, w)) in wy.enumerated() { for x in 0..<outW { for c in 0..<channels {
                var sum: Float = 0
                for (k, weight) in w.enumerated() { sum += horizontal[((start + k) * outW + x) * channels + c] * weight }
                out[(y * outW + x) * channels + c] = sum
            } } }
            return out
        }
    }
}

extension Image {
    public func resized(width: Int, height: Int, filter: Resampling.Filter = .bicubic) -> Image {
        var out = Image(width: width, height: height, channels: channels,
                        pixels: Resampling.resize(pixels, width: self.width, height: self.height, channels: channels,
                                                  toWidth: width, toHeight: height, filter: filter))
        if filter == .bicubic { out.pixels = out.pixels.map { min(max($0, 0), 1) } }   // bicubic overshoots
        return out
    }
}
