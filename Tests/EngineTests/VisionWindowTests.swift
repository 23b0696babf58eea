@testable import Engine
import Foundation
import Testing

/// The vision tower on token subsets (WinCLIP's windows) against open_clip on the tiny models
/// (scripts/fixtures/make_window_fixtures.py), and against the tower's own whole-image path.
@Suite struct VisionWindowTests {
    struct Windows: Decodable { var windows: [[Int]] }

    @Test(arguments: CLIPParityTests.models)
    func windowsMatchOpenCLIP(_ model: String) throws {
        let folder = CLIPParityTests.root.appendingPathComponent(model)
        let weights = try CLIPWeights.load(path: folder.appendingPathComponent("model.safetensors").path)
        let windows = try JSONDecoder().decode(Windows.self, from: Data(contentsOf: folder.appendingPathComponent("windows.json"))).windows
        let vision = VisionTransformer(weights)
        let images = try (0..<2).map { try NumPyFile.read(folder.appendingPathComponent("expected/image\($0)_input.npy")).values }
        let embeddings = try vision.forward(images, windows: windows)
        let whole = try vision.forward(images)
        for (i, image) in embeddings.enumerated() {
            let expected = try NumPyFile.read(folder.appendingPathComponent("expected/image\(i)_windows.npy")).values
            let worst = zip(image.flatMap { $0 }, expected).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
            #expect(worst <= CLIPParityTests.tolerance, "\(model) image \(i): \(windows.count) windows, max |diff| \(worst)")
            // The last window is the whole grid: the ordinary embedding.
            let apart = zip(image.last!, whole[i].embedding).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
            #expect(apart <= 1e-5, "\(model) image \(i): the whole grid as a window vs the image: \(apart)")
        }
        // A window's embedding does not depend on the windows beside it.
        let alone = try vision.forward([images[1]], windows: [windows[0]])
        #expect(zip(alone[0][0], embeddings[1][0]).allSatisfy { abs($0 - $1) <= 1e-5 })
    }

    @Test func badWindowsAreRefused() throws {
        let folder = CLIPParityTests.root.appendingPathComponent(CLIPParityTests.models[0])
        let vision = VisionTransformer(try CLIPWeights.load(path: folder.appendingPathComponent("model.safetensors").path))
        let image = try NumPyFile.read(folder.appendingPathComponent("expected/image0_input.npy")).values
        #expect(throws: EngineError.self) { try vision.forward([image], windows: [[]]) }
        #expect(throws: EngineError.self) { try vision.forward([image], windows: [[0, vision.configuration.vision.patches]]) }
    }
}
