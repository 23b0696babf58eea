@testable import Engine
import Foundation
import Testing

/// Small datasets written on the fly in MVTec AD and raw VisA layouts, with the faults real copies have.
@Suite struct DatasetTests {
    static func png(_ path: String, width: Int = 8, height: Int = 6, channels: Int = 3, value: Float = 0.5) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try PNGCodec.write(Image(width: width, height: height, channels: channels, fill: value), to: path)
    }

    /// bottle: 3 train, 2 good + 2 broken_large (masks) + 1 contamination (mask missing); wood: a mask of the wrong size.
    static func mvtecTree() throws -> String {
        let root = NSTemporaryDirectory() + "mvtec-\(UUID().uuidString)"
        for i in 0..<3 { try png("\(root)/bottle/train/good/00\(i).png") }
        for i in 0..<2 { try png("\(root)/bottle/test/good/00\(i).png") }
        for i in 0..<2 {
            try png("\(root)/bottle/test/broken_large/00\(i).png")
            try png("\(root)/bottle/ground_truth/broken_large/00\(i)_mask.png", channels: 1, value: 1)
        }
        try png("\(root)/bottle/test/contamination/000.png")
        try png("\(root)/wood/train/good/000.png")
        try png("\(root)/wood/test/scratch/000.png")
        try png("\(root)/wood/ground_truth/scratch/000_mask.png", width: 4, height: 3, channels: 1, value: 1)
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: "\(root)/wood/test/scratch/001.png"))
        try png("\(root)/wood/ground_truth/scratch/001_mask.png", channels: 1, value: 1)
        return root
    }

    @Test func pngEncodingRoundTrips() throws {
        let path = NSTemporaryDirectory() + "rt-\(UUID().uuidString).png"
        let image = Image(width: 3, height: 2, channels: 3, pixels: (0..<18).map { Float($0) / 17 })
        try PNGCodec.write(image, to: path)
        let back = try ImageFile.read(path)
        #expect(back.width == 3 && back.height == 2 && back.channels == 3)
        #expect(zip(back.pixels, image.pixels).allSatisfy { abs($0 - $1) <= 0.5 / 255 + 1e-6 })
        #expect(try ImageFile.size(path) == (3, 2))
    }

    @Test func mvtecLayoutLoadsAndChecks() throws {
        let root = try Self.mvtecTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let dataset = try AnomalyDataset(kind: .mvtec, root: root)
        #expect(try dataset.classes() == ["bottle", "wood"])
        let reports = try DataCheck.run(dataset)
        let bottle = try #require(reports.first { $0.name == "bottle" })
        #expect(bottle.trainGood == 3 && bottle.testGood == 2 && bottle.testDefective == ["broken_large": 2, "contamination": 1] && bottle.masks == 2)
        #expect(bottle.problems == ["\(root)/bottle/test/contamination/000.png: defective test image without a ground-truth mask"])
        let wood = try #require(reports.first { $0.name == "wood" })
        #expect(wood.problems.contains { $0.contains("000_mask.png: mask is 4x3 but its image is 8x6") })
        #expect(wood.problems.contains { $0.hasPrefix("\(root)/wood/test/scratch/001.png: neither PNG nor JPEG") })
        // Loading refuses what would make a run wrong, naming the file.
        #expect(throws: EngineError.invalidInput("\(root)/bottle/test/contamination/000.png: defective test image without a ground-truth mask")) {
            try dataset.load("bottle")
        }
        #expect(throws: EngineError.self) { try dataset.load("zipper") }
        // A folder of one's own: any class name.
        let folder = try AnomalyDataset(kind: .folder, root: root)
        #expect(try folder.classes() == ["bottle", "wood"])
    }

    @Test func rawVisAIsReadFromItsCSV() throws {
        let root = NSTemporaryDirectory() + "visa-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var rows = ["object,split,label,image,mask"]
        for i in 0..<3 {
            try Self.png("\(root)/candle/Data/Images/Normal/000\(i).JPG")
            rows.append("candle,train,normal,candle/Data/Images/Normal/000\(i).JPG,")
        }
        try Self.png("\(root)/candle/Data/Images/Normal/0009.JPG")
        rows.append("candle,test,normal,candle/Data/Images/Normal/0009.JPG,")
        try Self.png("\(root)/candle/Data/Images/Anomaly/000.JPG")
        try Self.png("\(root)/candle/Data/Masks/Anomaly/000.png", channels: 1, value: 1)
        rows.append("candle,test,anomaly,candle/Data/Images/Anomaly/000.JPG,candle/Data/Masks/Anomaly/000.png")
        try FileManager.default.createDirectory(atPath: root + "/split_csv", withIntermediateDirectories: true)
        try rows.joined(separator: "\n").write(toFile: root + "/split_csv/1cls.csv", atomically: true, encoding: .utf8)
        let dataset = try AnomalyDataset(kind: .visa, root: root)
        #expect(try dataset.classes() == ["candle"])
        let candle = try dataset.load("candle")
        #expect(candle.train.count == 3 && candle.test.count == 2)
        #expect(candle.test.first { $0.isDefective }?.mask == "\(root)/candle/Data/Masks/Anomaly/000.png")
        let report = try DataCheck.run(dataset)
        #expect(report[0].problems.isEmpty && report[0].testDefective == ["bad": 1])
    }

    @Test func restructuredVisAReadsLikeMVTec() throws {
        let root = NSTemporaryDirectory() + "visa-mvtec-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Self.png("\(root)/pcb1/train/good/0000.JPG")
        try Self.png("\(root)/pcb1/test/good/0001.JPG")
        try Self.png("\(root)/pcb1/test/bad/0002.JPG")
        try Self.png("\(root)/pcb1/ground_truth/bad/0002.png", channels: 1, value: 1)   // visa_pytorch names masks after the image
        try Self.png("\(root)/notaclass/train/good/0.png")
        let dataset = try AnomalyDataset(kind: .visa, root: root)
        #expect(try dataset.classes() == ["pcb1"], "only VisA's classes")
        let pcb1 = try dataset.load("pcb1")
        #expect(pcb1.test.first { $0.isDefective }?.mask == "\(root)/pcb1/ground_truth/bad/0002.png")
    }

    @Test func shotsAreDeterministicFromTheSeed() throws {
        let train = (0..<300).map { AnomalySample(path: String(format: "/d/train/good/%03d.png", $0), defect: "good", mask: nil) }
        let a = try ShotSelection.seeded(train.shuffled(), k: 4, seed: 9), b = try ShotSelection.seeded(train, k: 4, seed: 9)
        #expect(a == b && Set(a.map(\.path)).count == 4)
        #expect(try ShotSelection.seeded(train, k: 4, seed: 10) != a)
        #expect(try ShotSelection.promptAD(train, dataset: .mvtec, className: "bottle").path == "/d/train/good/131.png")
        #expect(throws: EngineError.self) { try ShotSelection.seeded(train, k: 301, seed: 1) }
    }
}
