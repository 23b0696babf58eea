// What WinCLIP reads of one image, all frozen: the pooled embedding, the patch tokens after ln_post
// (open_clip's `output_tokens`, not projected) and each scale's window embeddings. Cached like every
// frozen feature, so WinCLIP and WinCLIP+ encode an image once, and so does every draw of shots.
import Foundation

public struct WinCLIPFeatures: Sendable {
    /// (E) the image embedding.
    public var embedding: [Float]
    /// (P, C) patch tokens after ln_post.
    public var patchTokens: [Float]
    /// Per scale, (windows, E) window embeddings in `WinCLIPWindows` order.
    public var windowEmbeddings: [[Float]]

    /// Encodes preprocessed images: one pass over whole images, one over all their windows (of every scale, batched).
    public static func encode(_ images: [[Float]], model: CLIPModel, windows: WinCLIPWindows) throws -> [WinCLIPFeatures] {
        let vision = model.vision, layers = model.configuration.vision.layers, C = model.configuration.vision.width
        let whole = try vision.forward(images, taps: [layers])
        let all = windows.windows.flatMap { $0 }
        let pooled = try vision.forward(images, windows: all)
        return zip(whole, pooled).map { output, perWindow in
            var tokens = output.taps[layers]!
            let P = tokens.count / C
            tokens.withUnsafeMutableBufferPointer { vision.postNormalize($0.baseAddress!, rows: P) }
            var start = 0
            let perScale = windows.windows.map { scaleWindows -> [Float] in
                defer { start += scaleWindows.count }
                return perWindow[start..<(start + scaleWindows.count)].flatMap { $0 }
            }
            return WinCLIPFeatures(embedding: output.embedding, patchTokens: tokens, windowEmbeddings: perScale)
        }
    }

    var arrays: [String: [Float]] {
        var out = ["embedding": embedding, "tokens": patchTokens]
        for (i, w) in windowEmbeddings.enumerated() { out["windows\(i)"] = w }
        return out
    }

    init(embedding: [Float], patchTokens: [Float], windowEmbeddings: [[Float]]) {
        self.embedding = embedding; self.patchTokens = patchTokens; self.windowEmbeddings = windowEmbeddings
    }

    init?(arrays: [String: [Float]], scales: Int) {
        guard let e = arrays["embedding"], let t = arrays["tokens"] else { return nil }
        let w = (0..<scales).compactMap { arrays["windows\($0)"] }
        guard w.count == scales else { return nil }
        self.init(embedding: e, patchTokens: t, windowEmbeddings: w)
    }
}

extension CLIPModel {
    func winCLIPPreprocessing(_ windows: WinCLIPWindows, geometry: InputGeometry) -> String {
        let v = configuration.vision
        return "winclip-bicubic-\(v.imageHeight)x\(v.imageWidth);geometry=\(geometry.rawValue);scales=\(windows.scales)"
    }

    /// WinCLIP's features of an image file (or of one tile of it), from the cache when they were computed before.
    public func cachedWinCLIPFeatures(file path: String, tile: Tiling.Tile? = nil, windows: WinCLIPWindows, geometry: InputGeometry,
                                      cache: FeatureCache, identity: String) throws -> (features: WinCLIPFeatures, hit: Bool) {
        let key = try FeatureCache.key(file: path, digests: cache.digests, model: identity,
                                       preprocessing: winCLIPPreprocessing(windows, geometry: geometry) + SourceImage.tag(tile))
        let digest = try cache.digests.digest(of: path)
        return try cachedWinCLIPFeatures(key: key, windows: windows, geometry: geometry, cache: cache, label: path) {
            try SourceImage.read(path, digest: digest, tile: tile)
        }
    }

    /// WinCLIP's features of an image in memory, keyed by its pixels.
    public func cachedWinCLIPFeatures(image: Image, windows: WinCLIPWindows, geometry: InputGeometry, cache: FeatureCache,
                                      identity: String) throws -> (features: WinCLIPFeatures, hit: Bool) {
        let content = image.pixels.withUnsafeBytes { Data($0) } + Data("\(image.width)x\(image.height)x\(image.channels)".utf8)
        let key = FeatureCache.key(content: content, model: identity, preprocessing: winCLIPPreprocessing(windows, geometry: geometry))
        return try cachedWinCLIPFeatures(key: key, windows: windows, geometry: geometry, cache: cache, label: "an image") { image }
    }

    func cachedWinCLIPFeatures(key: String, windows: WinCLIPWindows, geometry: InputGeometry, cache: FeatureCache, label: String,
                               image: () throws -> Image) throws -> (features: WinCLIPFeatures, hit: Bool) {
        let (arrays, hit) = try cache.value(key) {
            let input = CLIPPreprocess(configuration, geometry: geometry)(try image())
            return try WinCLIPFeatures.encode([input], model: self, windows: windows)[0].arrays
        }
        guard let features = WinCLIPFeatures(arrays: arrays, scales: windows.scales.count) else {
            throw EngineError.invalidInput("\(label): its cached WinCLIP features lack arrays; run `report clean` and try again")
        }
        return (features, hit)
    }
}
