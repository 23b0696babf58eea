// An image file as the detector sees it, whole or one tile of it. Features are keyed by the file's digest and the
// tile, so a warm run decodes nothing; a cold run over a file's tiles decodes the file once, not once per tile.
import Foundation

enum SourceImage {
    /// What a tile adds to a cache key's preprocessing; nothing for the whole image (its keys stay as they were).
    static func tag(_ tile: Tiling.Tile?) -> String {
        tile.map { ";tile=\($0.x),\($0.y),\($0.side)" } ?? ""
    }

    /// The file's pixels, or its tile's, decoded from bytes whose digest is `digest` (the one the key names).
    static func read(_ path: String, digest: String, tile: Tiling.Tile?) throws -> Image {
        let image = try LastDecoded.shared.image(digest: digest) {
            let bytes = try ImageFile.bytes(path)
            guard FileDigests.sha256(bytes) == digest else { throw ImageError(path: path, reason: "changed while it was being read; run again") }
            return try ImageFile.decode(bytes, path: path)
        }
        guard let tile else { return image }
        guard tile.x + tile.side <= image.width, tile.y + tile.side <= image.height else {
            throw ImageError(path: path, reason: "is \(image.width)x\(image.height), too small for a \(tile.side) px tile at x \(tile.x), y \(tile.y)")
        }
        return image.cropped(x: tile.x, y: tile.y, width: tile.side, height: tile.side)
    }

    /// The last file decoded, for its next tile: one image held, whoever asks.
    final class LastDecoded: @unchecked Sendable {
        static let shared = LastDecoded()
        private let lock = NSLock()
        private var entry: (digest: String, image: Image)?

        func image(digest: String, decode: () throws -> Image) throws -> Image {
            if let entry = lock.withLock({ entry }), entry.digest == digest { return entry.image }
            let image = try decode()
            lock.withLock { entry = (digest, image) }
            return image
        }
    }
}
