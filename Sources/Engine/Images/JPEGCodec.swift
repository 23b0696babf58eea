// JPEG decoding through libjpeg-turbo's TurboJPEG API (accurate integer IDCT, fancy upsampling: as PIL).
import CJPEG
import Foundation

public enum JPEGCodec {
    /// Decodes JPEG bytes to RGB, or gray for grayscale files; `path` only names the file in errors.
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
        try data.withUnsafeBytes { raw in
            let base = raw.bindMemory(to: UInt8.self).baseAddress
            guard tjDecompressHeader3(handle, base, UInt(raw.count), &width, &height, &subsampling, &colorspace) == 0 else {
                throw failure("header")
            }
            guard width > 0, height > 0 else { throw ImageError(path: path, reason: "JPEG has no pixels") }
            let gray = colorspace == Int32(TJCS_GRAY.rawValue)
            channels = gray ? 1 : 3
            pixels = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
            let format = gray ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue)
            // STOPONWARNING: a truncated or damaged stream is an error, not an image with grey rows.
            let status = pixels.withUnsafeMutableBufferPointer { out in
                tjDecompress2(handle, base, UInt(raw.count), out.baseAddress, width, 0, height, format,
                              Int32(TJFLAG_STOPONWARNING))
            }
            guard status == 0 else { throw failure("data") }
        }
        return Image(width: Int(width), height: Int(height), channels: channels,
                     pixels: pixels.map { Float($0) / 255 })
    }

    static func isJPEG(_ data: Data) -> Bool {
        data.starts(with: [0xFF, 0xD8, 0xFF])
    }
}
