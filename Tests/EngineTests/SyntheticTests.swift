@testable import Engine
import Foundation
import Testing

@Suite struct SyntheticTests {
    static let benchmark: SyntheticBenchmark = {
        var b = SyntheticBenchmark(seed: 3, size: 64)
        b.trainGood = 2; b.testGood = 2; b.perDefectKind = 1
        return b
    }()

    @Test func theSameSeedGivesTheSameImages() {
        let a = Self.benchmark.sample(.wood, split: 2, index: 0, defect: .crack)
        let b = Self.benchmark.sample(.wood, split: 2, index: 0, defect: .crack)
        #expect(a.image == b.image && a.mask == b.mask)
        var other = Self.benchmark
        other.seed = 4
        #expect(other.sample(.wood, split: 2, index: 0, defect: .crack).image != a.image)
    }

    @Test(arguments: SyntheticProduct.allCases)
    func everyDefectHasAMaskAndNormalImagesHaveNone(_ product: SyntheticProduct) {
        let split = Self.benchmark.split(product)
        #expect(split.train.count == 2 && split.test.count == 2 + DefectKind.allCases.count)
        for sample in split.train + split.test {
            let area = sample.mask.reduce(0, +)
            if sample.defect == nil { #expect(area == 0, "\(product) normal \(sample.name)") }
            else { #expect(area >= Float(64 * 64) / 1000, "\(product) \(sample.defect!) has \(area) mask pixels") }
            #expect(sample.image.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
        }
    }

    @Test func normalImagesOfAClassDifferOnlyALittle() {
        // Same product, different pose/light: close on average; a defect changes its region a lot.
        let a = Self.benchmark.sample(.bottle, split: 0, index: 0, defect: nil).image.pixels
        let b = Self.benchmark.sample(.bottle, split: 0, index: 1, defect: nil).image.pixels
        let meanDifference = zip(a, b).reduce(Float(0)) { $0 + abs($1.0 - $1.1) } / Float(a.count)
        #expect(meanDifference < 0.08, "normal bottles differ by \(meanDifference) on average")
    }

    @Test func writesMVTecLayoutThatTheLoaderReads() throws {
        let dir = NSTemporaryDirectory() + "synth-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Self.benchmark.write(to: dir, products: [.nut, .carpet])
        let dataset = try AnomalyDataset(kind: .folder, root: dir)
        #expect(try dataset.classes() == ["carpet", "nut"])
        let nut = try dataset.load("nut")
        #expect(nut.train.count == 2 && nut.test.filter(\.isDefective).count == DefectKind.allCases.count)
        #expect(try DataCheck.run(dataset).allSatisfy { $0.problems.isEmpty })
        // Its own folder may be written again; a user's folder or file never.
        try Self.benchmark.write(to: dir, products: [.nut])
        #expect(try dataset.classes() == ["nut"])
        let user = dir + "-user"
        defer { try? FileManager.default.removeItem(atPath: user) }
        try FileManager.default.createDirectory(atPath: user, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: user + "/notes.txt"))
        #expect(throws: EngineError.self) { try Self.benchmark.write(to: user, products: [.nut]) }
        #expect(throws: EngineError.self) { try Self.benchmark.write(to: user + "/notes.txt", products: [.nut]) }
        #expect(try String(contentsOfFile: user + "/notes.txt", encoding: .utf8) == "mine")
    }

    @Test func captionsSayWhatTheImageOrCropShows() {
        var stream = CaptionStream(seed: 1, size: 64, cropSize: 32)
        var seenDefective = false, seenFlawless = false
        for _ in 0..<40 {
            let item = stream.next()
            #expect(item.image.width == 32 && item.mask.count == 32 * 32)
            let hasDefect = item.mask.contains { $0 != 0 }
            #expect((item.defect != nil) == hasDefect, "\(item.caption)")
            #expect(item.caption.contains(item.product.promptName))
            if let d = item.defect { #expect(!CaptionStream.defaultReserved.contains(d) && item.caption.contains(d.phrase)); seenDefective = true }
            else { seenFlawless = true }
        }
        #expect(seenDefective && seenFlawless)
    }

    @Test func rawPatchMemoryScoresADefectAboveNormalPatches() {
        let normal = Self.benchmark.sample(.tile, split: 0, index: 0, defect: nil)
        let broken = Self.benchmark.sample(.tile, split: 2, index: 0, defect: .hole)
        var memory = RawPatchMemory(patch: 8, stride: 8)
        memory.fit([normal.image])
        let (scores, gw, _) = memory.score(broken.image)
        // The patch holding the hole's centre scores above the median patch.
        let idx = broken.mask.indices.filter { broken.mask[$0] != 0 }
        let cy = idx.map { $0 / 64 }.reduce(0, +) / idx.count, cx = idx.map { $0 % 64 }.reduce(0, +) / idx.count
        let patchScore = scores[min(cy / 8, gw - 1) * gw + min(cx / 8, gw - 1)]
        #expect(patchScore > scores.sorted()[scores.count / 2])
    }
}
