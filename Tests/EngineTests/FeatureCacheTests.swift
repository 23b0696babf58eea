@testable import Engine
import Foundation
import Testing

@Suite struct FeatureCacheTests {
    func cache() -> FeatureCache {
        FeatureCache(directory: URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("cache-\(UUID().uuidString)"))
    }

    @Test func storedArraysComeBackAndDamageIsDetected() throws {
        let cache = cache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        let arrays: [String: [Float]] = ["embedding": [1, 2, 3], "tap3": [0.5, -0.25]]
        var computed = 0
        let first = try cache.value("ab12") { computed += 1; return arrays }
        let second = try cache.value("ab12") { computed += 1; return arrays }
        #expect(!first.hit && second.hit && computed == 1 && second.arrays == arrays)
        // Flip one byte of the payload: the checksum catches it, the entry is recomputed.
        let url = cache.url("ab12")
        var data = try Data(contentsOf: url)
        data[data.count - 40] ^= 0xFF
        try data.write(to: url)
        #expect(cache.load("ab12") == nil)
        #expect(!FileManager.default.fileExists(atPath: url.path), "a damaged entry is removed")
        let third = try cache.value("ab12") { computed += 1; return arrays }
        #expect(!third.hit && computed == 2 && third.arrays == arrays)
        // A truncated entry too.
        try Data(try Data(contentsOf: url).prefix(20)).write(to: url)
        #expect(cache.load("ab12") == nil)
    }

    @Test func keysFollowContentModelAndPreprocessing() throws {
        let dir = NSTemporaryDirectory() + "keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/a.png"))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: dir + "/copy.png"))
        try Data([1, 2, 4]).write(to: URL(fileURLWithPath: dir + "/b.png"))
        let a = try FeatureCache.key(file: dir + "/a.png", digests: FileDigests(memo: nil), model: "m", preprocessing: "p")
        #expect(a.count == 64)
        #expect(try FeatureCache.key(file: dir + "/copy.png", digests: FileDigests(memo: nil), model: "m", preprocessing: "p") == a, "content, not path")
        #expect(try FeatureCache.key(file: dir + "/b.png", digests: FileDigests(memo: nil), model: "m", preprocessing: "p") != a)
        #expect(try FeatureCache.key(file: dir + "/a.png", digests: FileDigests(memo: nil), model: "other", preprocessing: "p") != a)
        #expect(try FeatureCache.key(file: dir + "/a.png", digests: FileDigests(memo: nil), model: "m", preprocessing: "q") != a)
    }

    @Test func theBackboneRunsOncePerImage() throws {
        let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip")
        let model = try CLIPModel(path: root.appendingPathComponent("tiny_gelu_f16/model.safetensors").path)
        let cache = cache()
        defer { try? FileManager.default.removeItem(at: cache.directory) }
        let image = root.appendingPathComponent("preprocess/image1.png").path
        let identity = try model.weightsIdentity()
        let first = try model.cachedVisionFeatures(file: image, surgery: true, taps: [1, 2], geometry: .centerCrop, cache: cache, identity: identity)
        let second = try model.cachedVisionFeatures(file: image, surgery: true, taps: [1, 2], geometry: .centerCrop, cache: cache, identity: identity)
        #expect(!first.hit && second.hit)
        #expect(second.output.embedding == first.output.embedding && second.output.valueValueTokens == first.output.valueValueTokens)
        #expect(second.output.taps == first.output.taps && second.output.taps.keys.sorted() == [1, 2])
        let direct = try model.vision.forward([model.preprocess(try ImageFile.read(image))], surgery: true, taps: [1, 2])[0]
        #expect(direct.embedding == first.output.embedding)
    }
}
