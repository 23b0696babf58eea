import Engine
import Foundation
import Testing

/// `report data check` on a small MVTec-layout folder: counts as JSON, non-zero exit on problems.
@Suite struct DataCheckCommandTests {
    func tree(withProblem: Bool) throws -> String {
        let root = NSTemporaryDirectory() + "check-\(UUID().uuidString)"
        func png(_ path: String, channels: Int = 3) throws {
            try FileManager.default.createDirectory(atPath: (root + "/" + path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try PNGCodec.write(Image(width: 4, height: 4, channels: channels, fill: 0.5), to: root + "/" + path)
        }
        try png("nut/train/good/000.png")
        try png("nut/test/good/000.png")
        try png("nut/test/crack/000.png")
        if !withProblem { try png("nut/ground_truth/crack/000_mask.png", channels: 1) }
        return root
    }

    @Test func cleanCopyPassesAndProblemsFail() throws {
        let report = try ReportRunner(binary: "report", chapters: ReportRunner.packageRoot.appendingPathComponent("Chapters"))
        defer { report.remove() }
        let clean = try tree(withProblem: false), broken = try tree(withProblem: true)
        defer { try? FileManager.default.removeItem(atPath: clean); try? FileManager.default.removeItem(atPath: broken) }
        let ok = try report.run(["data", "check", "--dataset", "folder", "--data-root", clean, "--json"])
        #expect(ok.status == 0, "\(ok.output)")
        let json = try JSONSerialization.jsonObject(with: Data(ok.output.utf8)) as? [String: Any]
        let classes = try #require(json?["classes"] as? [[String: Any]])
        #expect(classes.count == 1 && classes[0]["name"] as? String == "nut" && classes[0]["masks"] as? Int == 1)
        #expect((classes[0]["testDefective"] as? [String: Int]) == ["crack": 1])
        let bad = try report.run(["data", "check", "--dataset", "folder", "--data-root", broken])
        #expect(bad.status == 1)
        #expect(bad.output.contains("nut/test/crack/000.png: defective test image without a ground-truth mask"))
        let unknown = try report.run(["data", "check", "--dataset", "mvtec", "--data-root", clean, "--class", "bottle"])
        #expect(unknown.status == 1 && unknown.output.contains("class 'bottle' is not in"))
    }
}
