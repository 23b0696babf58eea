@testable import Engine
import Foundation
import Testing

/// Damaged or foreign checkpoints are errors that name the file and the tensor.
@Suite struct CLIPLoaderTests {
    static let source = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip/tiny_quickgelu_rect_f32/model.safetensors")

    /// The F32 fixture's tensors, to be altered and written again.
    func tensors() throws -> [(name: String, shape: [Int], values: [Float])] {
        let file = try Safetensors(path: Self.source.path)
        return try file.entries.keys.sorted().map { ($0, file.entries[$0]!.shape, try file.floats($0)) }
    }

    func write(_ tensors: [(name: String, shape: [Int], values: [Float])], half: Bool = false) throws -> String {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try #"{"activation": "quick_gelu", "image_size": [32, 48]}"#.write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
        let url = dir.appendingPathComponent("model.safetensors")
        try Safetensors.write(tensors, to: url, halfPrecision: half)
        return url.path
    }

    func loadError(_ path: String) -> String {
        do { _ = try CLIPWeights.load(path: path); return "loaded" } catch { return "\(error)" }
    }

    @Test func writtenCheckpointsLoadBackAsTheyWere() throws {
        let path = try write(try tensors())
        let weights = try CLIPWeights.load(path: path)
        #expect(weights.configuration.vision.imageWidth == 48 && weights.configuration.activation == .quickGELU)
        let half = try CLIPWeights.load(path: try write(try tensors(), half: true))
        let a = half.tensor(.tokenEmbedding), b = weights.tensor(.tokenEmbedding)
        #expect(zip(a, b).allSatisfy { abs($0 - $1) <= abs($1) * 1e-3 + 1e-6 }, "F16 keeps 11 bits of mantissa")
    }

    @Test func missingTensorIsNamed() throws {
        let path = try write(try tensors().filter { $0.name != "visual.transformer.resblocks.1.mlp.c_fc.bias" })
        #expect(loadError(path) == "\(path): tensor visual.transformer.resblocks.1.mlp.c_fc.bias is missing")
    }

    @Test func unexpectedTensorIsNamed() throws {
        let path = try write(try tensors() + [("visual.attnpool.k_proj.weight", [2], [0, 0])])
        #expect(loadError(path).hasPrefix("\(path): unexpected tensor visual.attnpool.k_proj.weight"))
    }

    @Test func misShapedTensorIsNamed() throws {
        var all = try tensors()
        let i = all.firstIndex { $0.name == "ln_final.bias" }!
        all[i] = ("ln_final.bias", [32], [Float](repeating: 0, count: 32))
        let path = try write(all)
        #expect(loadError(path) == "\(path): tensor ln_final.bias has shape [32], expected [64]")
    }

    @Test func nanIsNamedWithItsIndex() throws {
        var all = try tensors()
        let i = all.firstIndex { $0.name == "text_projection" }!
        all[i].values[5] = .nan
        let path = try write(all)
        #expect(loadError(path) == "\(path): tensor text_projection holds nan at index 5")
    }

    @Test func truncatedFileIsAnError() throws {
        let path = try write(try tensors())
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count - 100).write(to: URL(fileURLWithPath: path))
        #expect(loadError(path).contains("truncated"))
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        #expect(loadError(path).contains("too short for a safetensors file"))
    }

    @Test func npyRoundTrips() throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("a-\(UUID().uuidString).npy")
        try NumPyFile.write([1, 2, 3, 4, 5, 6], shape: [2, 3], to: url)
        let (values, shape) = try NumPyFile.read(url)
        #expect(values == [1, 2, 3, 4, 5, 6] && shape == [2, 3])
        let data = try Data(contentsOf: url)
        #expect((data.count - 6 * 4) % 64 == 0, "data starts on a 64-byte boundary")
    }
}
