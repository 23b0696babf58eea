@testable import Engine
import Foundation
import Testing

@Suite struct CLIPInitializerTests {
    @Test func aFreshModelLoadsThroughTheCheckpointLoaderWithItsArchitecture() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("init-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let configuration = CLIPInitializer.small(layers: 2, width: 64, embed: 32, imageSize: 32, patch: 8, contextLength: 12)
        let url = dir.appendingPathComponent("model.safetensors")
        try CLIPInitializer.write(configuration, seed: 7, to: url, halfPrecision: true)
        let weights = try CLIPWeights.load(path: url.path)
        #expect(weights.configuration == configuration)
        #expect(abs(weights.logitScale - logf(1 / 0.07)) < 1e-2)
        // open_clip's scales: token embedding std 0.02, text attention std width^-1/2.
        func std(_ x: [Float]) -> Float { (x.reduce(0) { $0 + $1 * $1 } / Float(x.count)).squareRoot() }
        #expect(abs(std(weights.tensor(.tokenEmbedding)) - 0.02) < 0.001)
        #expect(abs(std(weights.tensor(.block(.text, 0, .inProjWeight))) - 1 / 8) < 0.01)
        // Seeded: the same seed, the same tensors; another seed, others.
        let a = CLIPInitializer.tensors(configuration, seed: 7), b = CLIPInitializer.tensors(configuration, seed: 7)
        let c = CLIPInitializer.tensors(configuration, seed: 8)
        #expect(a.map(\.values) == b.map(\.values) && a.map(\.values) != c.map(\.values))
        let model = CLIPModel(weights: weights)
        let out = try model.vision.forward([[Float](repeating: 0.1, count: 3 * 32 * 32)], surgery: true, taps: [1])[0]
        #expect(out.embedding.count == 32 && out.embedding.allSatisfy(\.isFinite))
    }
}
