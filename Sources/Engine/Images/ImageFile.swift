import Foundation

/// Reads PNG and JPEG files, by content rather than extension (so `.JPG`, `.jpeg` and misnamed files work).
public enum ImageFile {
    public static func read(_ path: String) throws -> Image {
        try decode(try bytes(path), path: path)
    }

    /// The file's bytes, read once into memory (not mapped: a file changed while it is decoded cannot
    /// change the bytes already hashed, nor fault the process). Files past `ImageLimits.maxFileBytes` are refused.
    public static func bytes(_ path: String) throws -> Data {
        try checkRegularFile(path)
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= ImageLimits.maxFileBytes else {
            throw ImageError(path: path, reason: "is \(size / (1 << 20)) MiB, larger than any image within the limits (\(ImageLimits.maxFileBytes >> 30) GiB)")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ImageError(path: path, reason: "cannot be read (\((error as NSError).localizedFailureReason ?? error.localizedDescription))")
        }
    }

    /// Decodes PNG or JPEG bytes, by content; `path` names the file in errors.
    public static func decode(_ data: Data, path: String) throws -> Image {
        if data.isEmpty { throw ImageError(path: path, reason: "file is empty") }
        if PNGCodec.isPNG(data) { return try PNGCodec.decode(data, path: path) }
        if JPEGCodec.isJPEG(data) { return try JPEGCodec.decode(data, path: path) }
        throw ImageError(path: path, reason: "neither PNG nor JPEG (unrecognised first bytes)")
    }

    /// A folder or a device where an image file was expected is named as such, not as an opaque read error.
    static func checkRegularFile(_ path: String) throws {
        do { try RegularFile.check(path) }
        catch EngineError.unreadable(_, let reason) {
            throw ImageError(path: path, reason: reason.hasPrefix("is a folder") ? "is a folder, not an image file" : "cannot be read (\(reason))")
        }
    }
}
