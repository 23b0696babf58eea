@testable import Engine
import Foundation
import Testing

/// `report pretrain` as a user runs it, on a one-layer model at 32 px for a few steps.
@Suite struct PretrainCommandTests {
    @Test func writesLoadableWeightsTheLogAndKeptCheckpoints() throws {
        let report = try ReportRunner(binary: "report", chapters: ReportRunner.packageRoot.appendingPathComponent("Chapters"))
        defer { report.remove() }
        let out = report.root.appendingPathComponent("model")
        let result = try report.run(["pretrain", "--out", out.path, "--steps", "4", "--batch", "3", "--layers", "1", "--width", "64",
                                     "--image-size", "32", "--checkpoint-every", "2", "--keep-checkpoints", "--stop-after", "3", "--seed", "1"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("3 steps of 3 images"), "\(result.output)")
        let weights = try CLIPWeights.load(path: out.appendingPathComponent("model.safetensors").path)
        #expect(weights.configuration.vision.layers == 1 && weights.configuration.vision.imageWidth == 32 && weights.configuration.vision.width == 64)
        let log = try JSONDecoder().decode(PretrainingLog.self, from: Data(contentsOf: out.appendingPathComponent("log.json")))
        #expect(log.entries.count == 3 && log.settings.denseTokens == .valueValue && log.entries.allSatisfy { $0.loss.isFinite && $0.dense > 0 })
        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        #expect(files.contains("checkpoint-00002.safetensors") && files.contains("loss-curve.svg") && !files.contains("checkpoint.safetensors"), "\(files)")
        // The checkpoint after 2 steps is what a run stopped after 2 steps writes (the same batches and schedule).
        let checkpoint = try CLIPWeights.load(path: out.appendingPathComponent("checkpoint-00002.safetensors").path)
        let stopped = report.root.appendingPathComponent("stopped")
        let second = try report.run(["pretrain", "--out", stopped.path, "--steps", "4", "--batch", "3", "--layers", "1", "--width", "64",
                                     "--image-size", "32", "--stop-after", "2", "--seed", "1"])
        #expect(second.status == 0, "\(second.output)")
        let reference = try CLIPWeights.load(path: stopped.appendingPathComponent("model.safetensors").path)
        for role in [TensorRole.patchEmbedding, .block(.vision, 0, .inProjWeight), .textProjection] {
            #expect(checkpoint.tensors[role] == reference.tensors[role], "\(role)")
        }
    }

    @Test func refusesSizesTheModelCannotHave() throws {
        let report = try ReportRunner(binary: "report", chapters: ReportRunner.packageRoot.appendingPathComponent("Chapters"))
        defer { report.remove() }
        let result = try report.run(["pretrain", "--out", report.root.appendingPathComponent("m").path, "--image-size", "30"])
        #expect(result.status != 0 && result.output.contains("--image-size must be a multiple of 8"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: report.root.appendingPathComponent("m").path))
    }
}
