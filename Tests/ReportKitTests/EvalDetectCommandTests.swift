import Engine
import Foundation
import Testing

/// `report eval` and `report detect` as a user runs them, on the tiny fixture model and a small synthetic class.
@Suite struct EvalDetectCommandTests {
    static let weights = ReportRunner.packageRoot.appendingPathComponent("Tests/EngineTests/Fixtures/clip/tiny_gelu_f16/model.safetensors").path

    @Test func evalSavesMapsAndScoresThatReproduceTheMetrics() throws {
        let report = try ReportRunner(binary: "report", chapters: ReportRunner.packageRoot.appendingPathComponent("Chapters"))
        defer { report.remove() }
        let data = report.root.appendingPathComponent("data").path
        try SyntheticBenchmark(seed: 5, size: 64).write(to: data, products: [.nut])
        let maps = report.root.appendingPathComponent("maps")
        let arguments = ["eval", "--dataset", "synthetic", "--data-root", data, "--class", "nut", "--weights", Self.weights,
                         "--epochs", "2", "--eval-size", "64", "--save-maps", maps.path]
        let first = try report.run(arguments)
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("model: model.safetensors") && first.output.contains("nut: image AUROC"))
        let scores = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: maps.appendingPathComponent("scores.json"))) as? [String: Any])
        let images = try #require(scores["images"] as? [[String: Any]])
        #expect(images.count == 55)
        // The image AUROC recomputed from scores.json equals the one printed.
        let auroc = ImageAUROC.compute(scores: images.map { Float($0["score"] as! Double) }, labels: images.map { ($0["label"] as! Int) == 1 })
        #expect(first.output.contains(String(format: "image AUROC %.1f", auroc * 100)), "\(first.output)")
        let map = try NumPyFile.read(maps.appendingPathComponent(images[0]["map"] as! String))
        #expect(map.shape == [64, 64] && (images[0]["map"] as! String).hasPrefix("nut/test/"))
        // The same command again is memoised.
        let again = try report.run(arguments)
        #expect(again.status == 0 && again.output.contains("memoised"), "\(again.output)")
        // Its configuration, printed and run from the file alone, is the same experiment.
        let printed = try report.run(["eval", "--dataset", "synthetic", "--data-root", data, "--class", "nut", "--epochs", "2", "--eval-size", "64", "--print-config"])
        let file = report.root.appendingPathComponent("nut.json")
        try Data(printed.output.utf8).write(to: file)
        let configuration = try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(printed.output.utf8))
        #expect(configuration.epochs == 2 && configuration.evaluationSize == 64 && configuration.method == DetectorSettings().method)
        let fromFile = try report.run(["eval", "--config", file.path, "--data-root", data, "--weights", Self.weights])
        #expect(fromFile.status == 0 && fromFile.output.contains("memoised"), "\(fromFile.output)")
        #expect(fromFile.output.contains(String(format: "image AUROC %.1f", auroc * 100)))
        let missing = try report.run(["eval", "--dataset", "mvtec", "--class", "nut", "--weights", Self.weights])
        #expect(missing.status != 0 && missing.output.contains("--data-root is needed"))
    }

    @Test func detectWritesOverlaysAndNothingWhenAnImageIsBad() throws {
        let report = try ReportRunner(binary: "report", chapters: ReportRunner.packageRoot.appendingPathComponent("Chapters"))
        defer { report.remove() }
        let data = report.root.appendingPathComponent("data").path
        try SyntheticBenchmark(seed: 5, size: 64).write(to: data, products: [.pill])
        let out = report.root.appendingPathComponent("detect")
        let ok = try report.run(["detect", "--weights", Self.weights, "--normal", "\(data)/pill/train/good/000.png",
                                 "--image", "\(data)/pill/test/good/000.png", "--image", "\(data)/pill/test/crack/000.png",
                                 "--out", out.path, "--epochs", "2", "--class-name", "pill", "--size", "48"])
        #expect(ok.status == 0, "\(ok.output)")
        let overlay = try ImageFile.read(out.appendingPathComponent("2_000_overlay.png").path)
        #expect(overlay.width == 48 && overlay.height == 48)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("scores.json"))) as? [String: Any])
        #expect((json["images"] as? [[String: Any]])?.count == 2)
        let bad = report.root.appendingPathComponent("bad")
        try Data("not a png".utf8).write(to: report.root.appendingPathComponent("broken.png"))
        let failed = try report.run(["detect", "--weights", Self.weights, "--normal", "\(data)/pill/train/good/000.png",
                                     "--image", report.root.appendingPathComponent("broken.png").path, "--out", bad.path])
        #expect(failed.status == 1 && failed.output.contains("broken.png"), "\(failed.output)")
        #expect(!FileManager.default.fileExists(atPath: bad.path))
    }
}
