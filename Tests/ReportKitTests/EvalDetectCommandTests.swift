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
        // Tiling is a flag and a field of the configuration; a tile under 16 px is refused as a usage error.
        let tiled = try report.run(["eval", "--dataset", "synthetic", "--data-root", data, "--class", "nut", "--tile", "48", "--print-config"])
        #expect(try JSONDecoder().decode(ExperimentConfiguration.self, from: Data(tiled.output.utf8)).tile == .side(48), "\(tiled.output)")
        #expect(configuration.tile == .off)
        let tiledRun = try report.run(arguments.filter { $0 != "--save-maps" && $0 != maps.path } + ["--tile", "48"])
        #expect(tiledRun.status == 0 && tiledRun.output.contains("55 image(s) seen in 220 overlapping tiles") && !tiledRun.output.contains("memoised"), "\(tiledRun.output)")
        let tiny = try report.run(["eval", "--dataset", "synthetic", "--data-root", data, "--class", "nut", "--tile", "8", "--print-config"])
        #expect(tiny.status == 64 && tiny.output.contains("--tile"), "\(tiny.output)")
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
        // The overlay holds the image at its own 64 px, the verdict above it and the colour bar beside it; the map is 64 x 64.
        let overlay = try ImageFile.read(out.appendingPathComponent("2_000_overlay.png").path)
        #expect(overlay.height == 64 + 80, "\(overlay.width)x\(overlay.height)")
        let map = try NumPyFile.read(out.appendingPathComponent("2_000_map.npy"))
        #expect(map.shape == [64, 64])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("scores.json"))) as? [String: Any])
        let entries = try #require(json["images"] as? [[String: Any]])
        #expect(entries.count == 2 && entries.allSatisfy { ["ok", "defect"].contains($0["verdict"] as? String ?? "") })
        let threshold = try #require(json["threshold"] as? [String: Any])
        #expect((threshold["normalScores"] as? [Double])?.count == 3, "three flips of the one normal image")
        // Every calibration view is ok: the threshold is above all of them.
        #expect((threshold["normalScores"] as? [Double] ?? []).allSatisfy { $0 < threshold["value"] as? Double ?? -1 })
        let csv = try String(contentsOf: out.appendingPathComponent("summary.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("image,verdict,score,threshold,strongest_x,strongest_y,width,height,views,overlay,map\r\n") && csv.components(separatedBy: "\r\n").count == 4)
        #expect(ok.output.contains("2 image(s): ") && ok.output.contains("inspected 2 image(s)") && ok.output.contains("images/s"))
        // The same --out again: refused unless --overwrite, which replaces it whole.
        let again = ["detect", "--weights", Self.weights, "--normal", "\(data)/pill/train/good/000.png", "--image", "\(data)/pill/test/good/000.png",
                     "--out", out.path, "--epochs", "2", "--class-name", "pill"]
        let refused = try report.run(again)
        #expect(refused.status == 1 && refused.output.contains("already holds") && refused.output.contains("--overwrite"), "\(refused.output)")
        // --threshold 0 makes every image a defect: exit 3 with --fail-on-defect, 0 without; no stale file of the first run stays.
        let failing = try report.run(again + ["--overwrite", "--threshold", "0", "--fail-on-defect"])
        #expect(failing.status == 3 && failing.output.contains("defect  "), "\(failing.output)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("2_000_overlay.png").path), "the first run's second overlay is gone")
        #expect(try report.run(again + ["--overwrite", "--threshold", "0"]).status == 0)
        let bad = report.root.appendingPathComponent("bad")
        try Data("not a png".utf8).write(to: report.root.appendingPathComponent("broken.png"))
        let failed = try report.run(["detect", "--weights", Self.weights, "--normal", "\(data)/pill/train/good/000.png",
                                     "--image", report.root.appendingPathComponent("broken.png").path, "--out", bad.path])
        #expect(failed.status == 1 && failed.output.contains("broken.png"), "\(failed.output)")
        #expect(!FileManager.default.fileExists(atPath: bad.path))
    }

    @Test func aWidePartIsTiledAndEveryPixelMapped() throws {
        let report = try ReportRunner(binary: "report", chapters: ReportRunner.packageRoot.appendingPathComponent("Chapters"))
        defer { report.remove() }
        let data = report.root.appendingPathComponent("data").path
        try SyntheticBenchmark(seed: 5, size: 64).write(to: data, products: [.carpet])
        // Two 64 px images side by side: 128 x 64, twice as wide as high.
        func wide(_ a: String, _ b: String, _ name: String) throws -> String {
            let left = try ImageFile.read("\(data)/carpet/\(a)").rgb(), right = try ImageFile.read("\(data)/carpet/\(b)").rgb()
            var image = Image(width: 128, height: 64, channels: 3)
            for y in 0..<64 { for x in 0..<128 { for c in 0..<3 {
                image.pixels[(y * 128 + x) * 3 + c] = x < 64 ? left.pixels[(y * 64 + x) * 3 + c] : right.pixels[(y * 64 + x - 64) * 3 + c]
            } } }
            let path = report.root.appendingPathComponent(name).path
            try PNGCodec.encode(image).write(to: URL(fileURLWithPath: path))
            return path
        }
        let normal = try wide("train/good/000.png", "train/good/001.png", "normal.png"), part = try wide("test/good/000.png", "test/hole/000.png", "part.png")
        let out = report.root.appendingPathComponent("detect")
        let run = try report.run(["detect", "--weights", Self.weights, "--normal", normal, "--image", part, "--out", out.path, "--epochs", "2", "--class-name", "carpet"])
        #expect(run.status == 0, "\(run.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("scores.json"))) as? [String: Any])
        let entry = try #require((json["images"] as? [[String: Any]])?.first)
        // 128 x 64 in tiles of 64 with a quarter's overlap: starts 0, 48, 64 along x.
        #expect(entry["views"] as? Int == 3 && (entry["inspected"] as? String ?? "").contains("3 overlapping tiles of 64 px"), "\(entry)")
        #expect(try NumPyFile.read(out.appendingPathComponent("1_part_map.npy")).shape == [64, 128])
        #expect(((json["threshold"] as? [String: Any])?["normalScores"] as? [Double])?.count == 9, "the normal image's three tiles, three flips each")
        let untiled = try report.run(["detect", "--weights", Self.weights, "--normal", normal, "--image", part, "--out", out.path, "--overwrite",
                                      "--epochs", "2", "--class-name", "carpet", "--tile", "off"])
        #expect(untiled.status == 0 && untiled.output.contains("(1 view(s)"), "\(untiled.output)")
    }
}
