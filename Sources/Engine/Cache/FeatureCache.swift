// Frozen backbone features on disk, content-addressed (SHA-256 of the model's identity, the
// preprocessing and the image file's bytes) and checksummed (SHA-256 of the payload, checked on
// every read: a damaged entry is dropped and recomputed). Written through a temporary file and a
// rename, so a crash never leaves half an entry.
import Crypto
import Foundation

public struct FeatureCache: Sendable {
    public let directory: URL
    static let magic = Array("DPFEAT1\n".utf8)

    public init(directory: URL) { self.directory = directory }

    /// The whole-file digests of the inputs these features come from, remembered beside them.
    public var digests: FileDigests { FileDigests.shared(memo: directory.appendingPathComponent("file-digests.json")) }

    /// The key of a file's features: what could change them, hashed with the file's content digest
    /// (remembered by `digests` from the file's status, so a warm run reads no image).
    public static func key(file path: String, digests: FileDigests, model: String, preprocessing: String) throws -> String {
        key(content: Data("sha256=\(try digests.digest(of: path))".utf8), model: model, preprocessing: preprocessing)
    }

    /// The key of in-memory content (a synthesised image's pixels).
    public static func key(content data: Data, model: String, preprocessing: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("model=\(model)\npreprocessing=\(preprocessing)\n".utf8))
        hasher.update(data: data)
        return FileDigests.hex(hasher.finalize())
    }

    func url(_ key: String) -> URL {
        directory.appendingPathComponent(String(key.prefix(2))).appendingPathComponent(key + ".features")
    }

    /// Named arrays stored under `key`, or nil when absent or damaged (a damaged entry is removed).
    public func load(_ key: String) -> [String: [Float]]? {
        let url = url(key)
        guard let data = try? Data(contentsOf: url) else { return nil }
        guard let arrays = Self.decode(data) else {
            try? FileManager.default.removeItem(at: url)
            Notice.post("feature cache \(url.path): damaged (checksum or format); removed, the features are computed again")
            return nil
        }
        return arrays
    }

    public func store(_ arrays: [String: [Float]], key: String) throws {
        try AtomicFile.write(try Self.encode(arrays), to: url(key))
    }

    /// The cached arrays, or `compute()`'s, stored for next time.
    public func value(_ key: String, compute: () throws -> [String: [Float]]) throws -> (arrays: [String: [Float]], hit: Bool) {
        if let cached = load(key) { return (cached, true) }
        let arrays = try compute()
        try store(arrays, key: key)
        return (arrays, false)
    }

    /// magic | JSON header {name: count} length (UInt32) | header | floats in name order | SHA-256 of all before it.
    static func encode(_ arrays: [String: [Float]]) throws -> Data {
        let names = arrays.keys.sorted()
        let header = try JSONSerialization.data(withJSONObject: Dictionary(uniqueKeysWithValues: names.map { ($0, arrays[$0]!.count) }), options: [.sortedKeys])
        var data = Data(magic)
        withUnsafeBytes(of: UInt32(header.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(header)
        for name in names { arrays[name]!.withUnsafeBytes { data.append(contentsOf: $0) } }
        data.append(contentsOf: SHA256.hash(data: data))
        return data
    }

    static func decode(_ data: Data) -> [String: [Float]]? {
        let digest = SHA256.byteCount
        guard data.count >= magic.count + 4 + digest, Array(data.prefix(magic.count)) == magic else { return nil }
        let body = data.prefix(data.count - digest)
        guard Data(SHA256.hash(data: body)) == data.suffix(digest) else { return nil }
        let lengthStart = data.startIndex + magic.count
        let headerLength = data[lengthStart..<(lengthStart + 4)].enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let headerStart = lengthStart + 4
        guard headerStart + headerLength <= body.endIndex,
              let counts = try? JSONSerialization.jsonObject(with: data[headerStart..<(headerStart + headerLength)]) as? [String: Int] else { return nil }
        var offset = headerStart + headerLength
        var arrays: [String: [Float]] = [:]
        for name in counts.keys.sorted() {
            let count = counts[name]!
            guard count >= 0, count <= (body.endIndex - offset) / 4 else { return nil }
            var values = [Float](repeating: 0, count: count)
            _ = values.withUnsafeMutableBytes { data[offset..<(offset + count * 4)].copyBytes(to: $0) }
            arrays[name] = values
            offset += count * 4
        }
        return offset == body.endIndex ? arrays : nil
    }
}

/// A file's identity for cache keys: the SHA-256 of all its bytes (through `FileDigests`, so a large
/// file is hashed once). Path-independent; any change to any byte changes it.
public enum FileIdentity {
    public static func of(_ path: String, digests: FileDigests = FileDigests(memo: nil)) throws -> String {
        try digests.digest(of: path)
    }
}

extension CLIPModel {
    /// An identity of the weights for cache keys (see `FileIdentity`).
    public func weightsIdentity(digests: FileDigests = FileDigests(memo: nil)) throws -> String {
        try FileIdentity.of(weights.path, digests: digests)
    }

    /// The vision features of an image file (or of one tile of it), from the cache when they were computed before:
    /// the frozen backbone never runs twice on the same image.
    public func cachedVisionFeatures(file path: String, tile: Tiling.Tile? = nil, surgery: Bool, taps: [Int], geometry: InputGeometry,
                                     cache: FeatureCache, identity: String) throws -> (output: VisionOutput, hit: Bool) {
        // The key names the file by its content digest, remembered by the file's status: a warm run reads no image,
        // and the memo key's digests of the same files are not computed twice.
        let key = try FeatureCache.key(file: path, digests: cache.digests, model: identity,
                                       preprocessing: featurePreprocessing(surgery: surgery, taps: taps, geometry: geometry) + SourceImage.tag(tile))
        let digest = try cache.digests.digest(of: path)
        // The bytes decoded are the bytes the key names, or the features would be stored under another file's name.
        return try cachedVisionFeatures(key: key, surgery: surgery, taps: taps, geometry: geometry, cache: cache) {
            try SourceImage.read(path, digest: digest, tile: tile)
        }
    }

    /// Whether the vision features of an image file (or of one tile) are in the cache (a plan's count of images left to encode).
    public func visionFeaturesCached(file path: String, tile: Tiling.Tile? = nil, surgery: Bool, taps: [Int], geometry: InputGeometry,
                                     cache: FeatureCache, identity: String) -> Bool {
        guard let key = try? FeatureCache.key(file: path, digests: cache.digests, model: identity,
                                               preprocessing: featurePreprocessing(surgery: surgery, taps: taps, geometry: geometry) + SourceImage.tag(tile))
        else { return false }
        return FileManager.default.fileExists(atPath: cache.url(key).path)
    }

    /// The vision features of an image made in memory (a synthesised anomaly), keyed by its pixels.
    public func cachedVisionFeatures(image: Image, surgery: Bool, taps: [Int], geometry: InputGeometry, cache: FeatureCache, identity: String) throws
        -> (output: VisionOutput, hit: Bool) {
        let content = image.pixels.withUnsafeBytes { Data($0) } + Data("\(image.width)x\(image.height)x\(image.channels)".utf8)
        let key = FeatureCache.key(content: content, model: identity, preprocessing: featurePreprocessing(surgery: surgery, taps: taps, geometry: geometry))
        return try cachedVisionFeatures(key: key, surgery: surgery, taps: taps, geometry: geometry, cache: cache) { image }
    }

    func featurePreprocessing(surgery: Bool, taps: [Int], geometry: InputGeometry) -> String {
        let v = configuration.vision
        return "clip-bicubic-\(v.imageHeight)x\(v.imageWidth);geometry=\(geometry.rawValue);surgery=\(surgery);taps=\(taps.sorted())"
    }

    func cachedVisionFeatures(key: String, surgery: Bool, taps: [Int], geometry: InputGeometry, cache: FeatureCache, image: () throws -> Image) throws
        -> (output: VisionOutput, hit: Bool) {
        let (arrays, hit) = try cache.value(key) {
            let input = CLIPPreprocess(configuration, geometry: geometry)(try image())
            let output = try vision.forward([input], surgery: surgery, taps: Set(taps))[0]
            var arrays = ["embedding": output.embedding]
            if let vv = output.valueValueTokens { arrays["vv"] = vv }
            for (tap, values) in output.taps { arrays["tap\(tap)"] = values }
            return arrays
        }
        var taps: [Int: [Float]] = [:]
        for (name, values) in arrays where name.hasPrefix("tap") { taps[Int(name.dropFirst(3))!] = values }
        return (VisionOutput(embedding: arrays["embedding"] ?? [], valueValueTokens: arrays["vv"], taps: taps), hit)
    }
}
