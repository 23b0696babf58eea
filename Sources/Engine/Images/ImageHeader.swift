// Width and height from a file's header, without decoding its pixels (for checking whole datasets).
import CJPEG
import CPNGCodec
import Foundation

extension ImageFile {
    public static func size(_ path: String) throws -> (width: Int, height: Int) {
        try ImageFile.checkRegularFile(path)
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ImageError(path: path, reason: "cannot be read (no such file)") }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: 1 << 16)
        if PNGCodec.isPNG(head) {
            var decoded = png_decoded()
            var message = [CChar](repeating: 0, count: 256)
            let status = head.withUnsafeBytes {
                png_read_header($0.bindMemory(to: UInt8.self).baseAddress, $0.count, UInt64(ImageLimits.maxPixels), &decoded, &message, message.count)
            }
            guard status == 0 else { throw PNGCodec.failure(message, path: path, what: "corrupt PNG header") }
            return (Int(decoded.width), Int(decoded.height))
        }
        if JPEGCodec.isJPEG(head) {
            // The header can sit past the first 64 KiB (large EXIF blocks): read the whole file then.
            let data = head.count < (1 << 16) ? head : (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? head
            guard let tj = tjInitDecompress() else { throw ImageError(path: path, reason: "could not start the JPEG decoder") }
            defer { tjDestroy(tj) }
            var w: Int32 = 0, h: Int32 = 0, sub: Int32 = 0, space: Int32 = 0
            let status = data.withUnsafeBytes { tjDecompressHeader3(tj, $0.bindMemory(to: UInt8.self).baseAddress, UInt($0.count), &w, &h, &sub, &space) }
            guard status == 0 else { throw ImageError(path: path, reason: "corrupt JPEG header") }
            try ImageLimits.check(width: Int(w), height: Int(h), path: path)
            return (Int(w), Int(h))
        }
        throw ImageError(path: path, reason: "neither PNG nor JPEG (unrecognised first bytes)")
    }
}
