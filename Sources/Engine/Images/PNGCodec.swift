// PNG decoding through libpng (all colour types, 1-16 bits; 16-bit kept at full precision).
import CPNGCodec
import Foundation

public enum PNGCodec {
    /// Decodes PNG bytes; `path` only names the file in errors.
    public static func decode(_ data: Data, path: String) throws -> Image {
        var decoded = png_decoded()
        var message = [CChar](repeating: 0, count: 256)
        let status = data.withUnsafeBytes { raw -> Int32 in
            let base = raw.bindMemory(to: UInt8.self).baseAddress
            return png_decode_memory(base, raw.count, UInt64(ImageLimits.maxPixels), &decoded, &message, message.count)
        }
        guard status == 0 else { throw failure(message, path: path, what: "corrupt PNG") }
        defer { png_decoded_free(&decoded) }
        let width = Int(decoded.width), height = Int(decoded.height), channels = Int(decoded.channels)
        let count = width * height * channels
        var pixels = [Float](repeating: 0, count: count)
        if decoded.bitDepth == 16 {
            decoded.pixels.withMemoryRebound(to: UInt16.self, capacity: count) { p in
                for i in 0..<count { pixels[i] = Float(p[i]) / 65535 }
            }
        } else {
            for i in 0..<count { pixels[i] = Float(decoded.pixels[i]) / 255 }
        }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// Encodes an image as 8-bit PNG (samples in [0, 1], rounded).
    public static func encode(_ image: Image) throws -> Data {
        let bytes = image.pixels.map { UInt8(max(0, min(255, ($0 * 255).rounded()))) }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = png_encode_memory(bytes, UInt32(image.width), UInt32(image.height), Int32(image.channels), 8, &out, &size, &message, message.count)
        guard status == 0, let out else {
            throw ImageError(path: "(PNG being written)", reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        defer { png_encoded_free(out) }
        return Data(bytes: out, count: size)
    }

    /// Writes an 8-bit PNG through a temporary file renamed into place.
    public static func write(_ image: Image, to path: String) throws {
        do { try encode(image).write(to: URL(fileURLWithPath: path), options: .atomic) }
        catch let error as ImageError { throw ImageError(path: path, reason: error.reason) }
        catch { throw ImageError(path: path, reason: "cannot be written (\(error.localizedDescription))") }
    }

    /// libpng's message as an error: a refused size is said as it is, anything else as `what` (the message).
    static func failure(_ message: [CChar], path: String, what: String) -> ImageError {
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return ImageError(path: path, reason: text.hasPrefix("image is") ? text : "\(what): \(text)")
    }

    static func isPNG(_ data: Data) -> Bool {
        data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }
}
