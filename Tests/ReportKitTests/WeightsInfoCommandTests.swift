import Engine
import Foundation
import Testing

/// `report weights info` as a user runs it: the architecture from the header, the activation's source, bad files refused.
@Suite struct WeightsInfoCommandTests {
    static let fixtures = ReportRunner.packageRoot.appendingPathComponent("Tests/EngineTests/Fixtures/clip")

    @Test func infoReadsTheArchitectureTheLoaderReads() throws {
        let report = try ReportRunner(binary: "report", chapters: ReportRunner.packageRoot.appendingPathComponent("Chapters"))
        defer { report.remove() }
        for model in ["tiny_gelu_f16", "tiny_quickgelu_rect_f32"] {
            let path = Self.fixtures.appendingPathComponent("\(model)/model.safetensors").path
            let loaded = try CLIPWeights.load(path: path).configuration
            let text = try report.run(["weights", "info", path])
            #expect(text.status == 0, "\(text.output)")
            let v = loaded.vision
            #expect(text.output.contains("image tower: \(v.imageHeight) x \(v.imageWidth) px, patch \(v.patchSize)"), "\(text.output)")
            #expect(text.output.contains("activation: \(loaded.activation.rawValue) (from "), "the fixture's config.json is named: \(text.output)")
            #expect(text.output.contains("none of open_clip's ViT-B or ViT-L shapes"))
            let json = try report.run(["weights", "info", path, "--json"])
            struct Info: Decodable { var configuration: CLIPConfiguration; var parameters: Int; var tensors: Int }
            let info = try JSONDecoder().decode(Info.self, from: Data(json.output.utf8))
            #expect(info.configuration == loaded)
            #expect(info.parameters == CLIPParameters(try CLIPWeights.load(path: path)).count)
        }
        // Shapes alone: the activation is said to be assumed, with what to do for OpenAI's checkpoints.
        let bare = report.root.appendingPathComponent("bare.safetensors")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("tiny_gelu_f16/model.safetensors"), to: bare)
        let assumed = try report.run(["weights", "info", bare.path])
        #expect(assumed.status == 0 && assumed.output.contains("activation: gelu, assumed: shapes cannot tell"), "\(assumed.output)")
        // Not a CLIP: a clear error naming the file and the tensor, exit 1.
        let other = report.root.appendingPathComponent("resnet.safetensors")
        try Safetensors.write([(name: "conv1.weight", shape: [4, 3, 3, 3], values: [Float](repeating: 0.1, count: 108))], to: other)
        let refused = try report.run(["weights", "info", other.path])
        #expect(refused.status == 1 && refused.output.contains("report weights info: ") && refused.output.contains("conv1.weight"), "\(refused.output)")
    }

    @Test func thePapersModelIsRecognisedByName() {
        #expect(OpenCLIPArchitectures.name(of: OpenCLIPArchitectures.vitB16Plus240) == "ViT-B-16-plus-240")
        #expect(OpenCLIPArchitectures.name(of: CLIPInitializer.small()) == nil)
        #expect(Set(OpenCLIPArchitectures.all.map(\.name)).count == OpenCLIPArchitectures.all.count, "names are unique")
    }
}
