import Engine
import Foundation
import Testing

/// `report weights import` as a user runs it on checkpoints torch saved: equal tensors, the JSON beside them, refusals.
@Suite struct WeightsImportCommandTests {
    static let torch = ReportRunner.packageRoot.appendingPathComponent("Tests/EngineTests/Fixtures/torch")
    static let clip = ReportRunner.packageRoot.appendingPathComponent("Tests/EngineTests/Fixtures/clip")

    @Test func checkpointsImportToTheWeightsTheyWereSavedFrom() throws {
        let report = try ReportRunner(binary: "report", chapters: ReportRunner.packageRoot.appendingPathComponent("Chapters"))
        defer { report.remove() }
        let cases: [(file: String, source: String, arguments: [String], dtype: String)] = [
            ("tiny_gelu_bf16_zip.pt", "tiny_gelu_bf16", [], "F32"),
            ("tiny_quickgelu_rect_f32_legacy.pt", "tiny_quickgelu_rect_f32", ["--activation", "quick_gelu", "--image-size", "32x48"], "F32"),
            ("tiny_quickgelu_rect_f16_checkpoint.pt", "tiny_quickgelu_rect_f32", ["--activation", "quick_gelu", "--image-size", "32x48"], "F16"),
        ]
        for (file, source, arguments, dtype) in cases {
            let out = report.root.appendingPathComponent("\(file).safetensors")
            let run = try report.run(["weights", "import", Self.torch.appendingPathComponent(file).path, "--out", out.path] + arguments)
            #expect(run.status == 0, "\(file): \(run.output)")
            #expect(run.output.contains("wrote \(out.path) (\(dtype))"), "\(run.output)")
            let imported = try CLIPWeights.load(path: out.path), original = try CLIPWeights.load(path: Self.clip.appendingPathComponent("\(source)/model.safetensors").path)
            #expect(imported.configuration == original.configuration, "\(file): the JSON beside the weights completes the same architecture")
            let a = try Safetensors(path: out.path), b = try Safetensors(path: Self.clip.appendingPathComponent("\(source)/model.safetensors").path)
            #expect(Set(a.entries.keys) == Set(b.entries.keys))
            for name in b.entries.keys {
                let expected = try b.floats(name).map { dtype == "F16" ? Float(Float16($0)) : $0 }
                #expect(try a.floats(name) == expected, "\(file): \(name)")
            }
        }
        // The activation cannot be read from shapes: without --activation, GELU, and the output says it was assumed.
        let assumed = try report.run(["weights", "import", Self.torch.appendingPathComponent("tiny_gelu_bf16_zip.pt").path,
                                      "--out", report.root.appendingPathComponent("again.safetensors").path])
        #expect(assumed.output.contains("activation gelu: assumed; --activation quick_gelu for OpenAI's"), "\(assumed.output)")
        // An existing --out is kept unless --overwrite.
        let existing = report.root.appendingPathComponent("tiny_gelu_bf16_zip.pt.safetensors").path
        let kept = try report.run(["weights", "import", Self.torch.appendingPathComponent("tiny_gelu_bf16_zip.pt").path, "--out", existing])
        #expect(kept.status == 1 && kept.output.contains("exists: pass --overwrite"), "\(kept.output)")
        #expect(try report.run(["weights", "import", Self.torch.appendingPathComponent("tiny_gelu_bf16_zip.pt").path, "--out", existing, "--overwrite"]).status == 0)
    }

    @Test func whatIsNotASafeCLIPCheckpointIsRefusedAndNothingIsWritten() throws {
        let report = try ReportRunner(binary: "report", chapters: ReportRunner.packageRoot.appendingPathComponent("Chapters"))
        defer { report.remove() }
        let out = report.root.appendingPathComponent("x.safetensors")
        for (file, reason) in [("malicious_zip.pt", "it names posix.system"), ("malicious_legacy.pt", "it names posix.system"),
                               ("scripted.pt", "visual.proj.weight"), ("views.pt", "are not OpenCLIP's CLIP names")] {
            let run = try report.run(["weights", "import", Self.torch.appendingPathComponent(file).path, "--out", out.path])
            #expect(run.status == 1 && run.output.contains("report weights import: ") && run.output.contains(reason), "\(file): \(run.output)")
            #expect(!FileManager.default.fileExists(atPath: out.path))
        }
        let bad = try report.run(["weights", "import", Self.torch.appendingPathComponent("views.pt").path, "--out", "x.bin"])
        #expect(bad.status == 64 && bad.output.contains("--out must name a .safetensors file"), "\(bad.output)")
    }
}
