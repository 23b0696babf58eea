@testable import Engine
import Foundation
import Testing

/// WinCLIP and WinCLIP+ against anomalib 2.7.0's own `WinClipModel` on two tiny random OpenCLIP models, one
/// with a non-square input (scripts/fixtures/make_winclip_fixtures.py; Fixtures/winclip/<model>/README.md).
@Suite struct WinCLIPParityTests {
    static let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/winclip")
    static let models = ["tiny_winclip_f16", "tiny_winclip_rect_f16"]
    static let tolerance: Float = 1e-4

    struct Fixture: Decodable {
        struct Prompt: Decodable { var text: String; var tokens: [Int] }
        var class_name: String
        var scales: [Int]
        var temperature: Float
        var prompts: [String: [Prompt]]
        var masks: [String: [[Int]]]
    }

    struct Case {
        let folder: URL, fixture: Fixture, model: CLIPModel, windows: WinCLIPWindows
        init(_ name: String) throws {
            folder = WinCLIPParityTests.root.appendingPathComponent(name)
            fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: folder.appendingPathComponent("winclip.json")))
            model = try CLIPModel(path: folder.appendingPathComponent("model.safetensors").path)
            let v = model.configuration.vision
            windows = WinCLIPWindows(gridHeight: v.gridHeight, gridWidth: v.gridWidth, scales: fixture.scales)
        }
        func array(_ name: String) throws -> [Float] { try NumPyFile.read(folder.appendingPathComponent("expected/\(name).npy")).values }
        /// Rows of a (N, 3, H, W) pixel file.
        func images(_ name: String) throws -> [[Float]] {
            let (values, shape) = try NumPyFile.read(folder.appendingPathComponent("expected/\(name).npy"))
            let size = shape.dropFirst().reduce(1, *)
            return stride(from: 0, to: values.count, by: size).map { Array(values[$0..<($0 + size)]) }
        }
    }

    static func worst(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count, "\(a.count) values against \(b.count)")
        return zip(a, b).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
    }

    @Test(arguments: models)
    func promptsWindowsAndTextMatchAnomalib(_ name: String) throws {
        let c = try Case(name)
        #expect(WinCLIPPrompts.sentences(states: WinCLIPPrompts.normalStates, name: c.fixture.class_name) == c.fixture.prompts["normal"]!.map(\.text))
        #expect(WinCLIPPrompts.sentences(states: WinCLIPPrompts.anomalousStates, name: c.fixture.class_name) == c.fixture.prompts["anomalous"]!.map(\.text))
        for prompt in c.fixture.prompts["normal"]! + c.fixture.prompts["anomalous"]! {
            #expect(try c.model.tokens(prompt.text) == prompt.tokens, "\(prompt.text)")
        }
        for (i, scale) in c.fixture.scales.enumerated() { #expect(c.windows.windows[i] == c.fixture.masks[String(scale)]!, "scale \(scale)") }
        let text = try WinCLIPPrompts.textEmbeddings(c.model, name: c.fixture.class_name)
        #expect(Self.worst(text.normal + text.anomalous, try c.array("text_embeddings")) <= Self.tolerance)
    }

    @Test(arguments: models)
    func featuresAndScoresMatchAnomalib(_ name: String) throws {
        let c = try Case(name)
        let queries = try WinCLIPFeatures.encode(try c.images("query_pixels"), model: c.model, windows: c.windows)
        let reference = try WinCLIPFeatures.encode(try c.images("reference_pixels"), model: c.model, windows: c.windows)
        #expect(Self.worst(queries.flatMap(\.embedding), try c.array("image_embeddings")) <= Self.tolerance)
        #expect(Self.worst(queries.flatMap(\.patchTokens), try c.array("patch_tokens")) <= Self.tolerance)
        #expect(Self.worst(reference.flatMap(\.patchTokens), try c.array("reference_patch_tokens")) <= Self.tolerance)
        for (i, scale) in c.fixture.scales.enumerated() {
            #expect(Self.worst(queries.flatMap { $0.windowEmbeddings[i] }, try c.array("window_embeddings_scale\(scale)")) <= Self.tolerance)
            #expect(Self.worst(reference.flatMap { $0.windowEmbeddings[i] }, try c.array("reference_window_embeddings_scale\(scale)")) <= Self.tolerance)
        }

        let text = try WinCLIPPrompts.textEmbeddings(c.model, name: c.fixture.class_name)
        let zeroShot = WinCLIPScorer(text: text, windows: c.windows, temperature: c.fixture.temperature)
        let fewShot = WinCLIPScorer(text: text, windows: c.windows, shots: reference, temperature: c.fixture.temperature)
        let v = c.model.configuration.vision
        func upsampled(_ grid: [Float]) -> [Float] {
            Resampling.resize(grid, width: v.gridWidth, height: v.gridHeight, channels: 1, toWidth: v.imageWidth, toHeight: v.imageHeight, filter: .bilinear)
        }
        let zero = queries.map(zeroShot.score), few = queries.map(fewShot.score)
        for (i, scale) in c.fixture.scales.enumerated() {
            let windowScores = queries.flatMap { zeroShot.classScores($0.windowEmbeddings[i]) }
            #expect(Self.worst(windowScores, try c.array("zero_shot_window_scores_scale\(scale)")) <= Self.tolerance)
        }
        #expect(Self.worst(zero.map(\.score), try c.array("zero_shot_pred_score")) <= Self.tolerance)
        #expect(Self.worst(zero.flatMap(\.map), try c.array("zero_shot_grid_map")) <= Self.tolerance)
        #expect(Self.worst(zero.flatMap { upsampled($0.map) }, try c.array("zero_shot_anomaly_map")) <= Self.tolerance)
        #expect(Self.worst(queries.flatMap(fewShot.fewShotMap), try c.array("few_shot_grid_map")) <= Self.tolerance)
        #expect(Self.worst(few.map(\.score), try c.array("few_shot_pred_score")) <= Self.tolerance)
        #expect(Self.worst(few.flatMap(\.map), try c.array("few_shot_combined_grid_map")) <= Self.tolerance)
        #expect(Self.worst(few.flatMap { upsampled($0.map) }, try c.array("few_shot_anomaly_map")) <= Self.tolerance)

        // What the fixtures would catch: one scale dropped, or another temperature, moves the maps past the tolerance.
        let oneScale = WinCLIPWindows(gridHeight: v.gridHeight, gridWidth: v.gridWidth, scales: [c.fixture.scales[0]])
        let dropped = queries.map { f in
            WinCLIPScorer(text: text, windows: oneScale).zeroShot(WinCLIPFeatures(embedding: f.embedding, patchTokens: f.patchTokens,
                                                                                   windowEmbeddings: [f.windowEmbeddings[0]])).map
        }
        #expect(Self.worst(dropped.flatMap { $0 }, try c.array("zero_shot_grid_map")) > 10 * Self.tolerance)
        let warmer = WinCLIPScorer(text: text, windows: c.windows, temperature: 0.1)
        #expect(Self.worst(queries.map { warmer.zeroShot($0).score }, try c.array("zero_shot_pred_score")) > 10 * Self.tolerance)
    }
}
