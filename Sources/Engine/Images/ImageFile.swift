import Foundation

/// Reads PNG and JPEG files, by content rather than extension (so `.JPG`, `.jpeg` and misnamed files work).
public enum ImageFile {
    public static func read(_ path: String) throws -> Image {
        try checkRegularFile(path)
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

    /// A folder or a device where an image file was expected is named as such, not as an opaque read error.
    static func checkRegularFile(_ path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ImageError(path: path, reason: "cannot be read (\(String(cString: strerror(errno))))")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw ImageError(path: path, reason: "is a folder, not an image file")
        default: throw ImageError(path: path, reason: "is not a regular file")
        }
    }
}
