import Foundation

/// Reads PNG and JPEG files, by content rather than extension (so `.JPG`, `.jpeg` and misnamed files work).
public enum ImageFile {
    public static func read(_ path: String) throws -> Image {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
        } catch {
            throw ImageError(path: path, reason: "cannot be read (\(error.localizedDescription))")
        }
        if data.isEmpty { throw ImageError(path: path, reason: "file is empty") }
        if PNGCodec.isPNG(data) { return try PNGCodec.decode(data, path: path) }
        if JPEGCodec.isJPEG(data) { return try JPEGCodec.decode(data, path: path) }
        throw ImageError(path: path, reason: "neither PNG nor JPEG (unrecognised first bytes)")
    }
}
