// JPEG decoding through libjpeg-turbo's TurboJPEG API (accurate integer IDCT, fancy upsampling: as PIL).
import CJPEG
import Foundation

public enum JPEGCodec {
    /// Decodes JPEG bytes to RGB, or gray for grayscale files; `path` only names the file in errors.
    /// CMYK and YCCK files are converted to RGB as PIL's `convert("RGB")` does.
    public static func decode(_ data: Data, path: String) throws -> Image {
        guard let handle = tjInitDecompress() else {
            throw ImageError(path: path, reason: "could not start the JPEG decoder")
        }
        defer { tjDestroy(handle) }
        func failure(_ what: String) -> ImageError {
            ImageError(path: path, reason: "corrupt JPEG (\(what)): \(String(cString: tjGetErrorStr2(handle)))")
        }
        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
        var pixels: [UInt8] = []
        var channels = 3
        let cmyk = try data.withUnsafeBytes { raw -> Bool in
            let base = raw.bindMemory(to: UInt8.self).baseAddress
            guard tjDecompressHeader3(handle, base, UInt(raw.count), &width, &height, &subsampling, &colorspace) == 0 else {
                throw failure("header")
            }
            // The header's claim is checked before the pixels are allocated.
            try ImageLimits.check(width: Int(width), height: Int(height), path: path)
            let gray = colorspace == Int32(TJCS_GRAY.rawValue)
            let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
            channels = gray ? 1 : cmyk ? 4 : 3
            pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
            let format = gray ? Int32(TJPF_GRAY.rawValue) : cmyk ? Int32(TJPF_CMYK.rawValue) : Int32(TJPF_RGB.rawValue)
            // STOPONWARNING: a truncated or damaged stream is an error, not an image with grey rows.
            let status = pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(handle, base, UInt(raw.count), out.baseAddress, width, 0, height, format,
                              Int32(TJFLAG_STOPONWARNING))
            }
            guard status == 0 else { throw failure("data") }
            return cmyk
        }
        if cmyk {
            let rgb = rgb(fromCMYK: pixels)
            return Image(width: Int(width), height: Int(height), channels: 3, pixels: rgb.map { Float($0) / 255 })
        }
        return Image(width: Int(width), height: Int(height), channels: channels,
                     pixels: pixels.map { Float($0) / 255 })
    }

    /// PIL's CMYK to RGB: R = (255 - C)(255 - K) / 255, rounded as its MULDIV255. **[choice]** every CMYK JPEG is
    /// read as Adobe's inverted samples, as PIL assumes ("CMYK;I"); libjpeg hands them over as stored.
    static func rgb(fromCMYK samples: [UInt8]) -> [UInt8] {
        func muldiv255(_ a: Int, _ b: Int) -> Int { let t = a * b + 128; return ((t >> 8) + t) >> 8 }
        let count = samples.count / 4
        var out = [UInt8](repeating: 0, count: count * 3)
        for p in 0..<count {
            let s = (0..<4).map { Int(samples[p * 4 + $0]) }
            let c = s.map { 255 - $0 }
            let nk = 255 - c[3]
            for ch in 0..<3 { out[p * 3 + ch] = UInt8(max(0, min(255, nk - muldiv255(c[ch], nk)))) }
        }
        return out
    }

    static func isJPEG(_ data: Data) -> Bool {
        data.starts(with: [0xFF, 0xD8, 0xFF])
    }
}
