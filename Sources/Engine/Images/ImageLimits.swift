// What the decoders accept, checked from the header before any pixel is allocated, so a small
// crafted file claiming a huge image is an error naming the file, not an out-of-memory crash.
import Foundation

public enum ImageLimits {
    /// Pixels per image: 100 MP (10000 x 10000; an RGBA image that size holds 1.6 GB as floats).
    public static let maxPixels = 100_000_000
    /// Bytes of one image file: 1 GiB, more than a 100 MP RGBA image at 16 bits holds uncompressed (800 MB).
    public static let maxFileBytes = 1 << 30

    public static func check(width: Int, height: Int, path: String) throws {
        guard width > 0, height > 0 else { throw ImageError(path: path, reason: "image has no pixels (\(width) x \(height))") }
        let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
        guard !overflow, pixels <= maxPixels else {
            throw ImageError(path: path, reason: String(format: "image is %d x %d pixels (%.1f MP), above the limit of %d MP",
                                                        width, height, Double(width) * Double(height) / 1e6, maxPixels / 1_000_000))
        }
    }
}
