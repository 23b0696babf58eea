import Engine
import Foundation
import Testing

/// Metrics against scikit-learn and the MVTec AD PRO definition (scripts/fixtures/make_metric_fixtures.py).
@Suite struct MetricTests {
    struct Ranking: Decodable { var name: String; var labels: [Bool]; var scores: [Double]; var auroc: Double; var averagePrecision: Double; var f1Max: Double }
    struct Pixel: Decodable { var width: Int; var height: Int; var maps: [[Double]]; var masks: [[Int]]; var auroc: Double; var averagePrecision: Double; var f1Max: Double; var aupro: Double; var regions: Int }
    struct Evaluation: Decodable { var grid: [Double]; var upsampled: [Double]; var blurred: [Double]; var mask: [Int]; var maskNearest: [Int] }
    struct Fixture: Decodable { var ranking: [Ranking]; var pixel: Pixel; var evaluation: Evaluation }

    static let fixture: Fixture = try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf:
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures/metrics/metrics.json")))

    static var maps: [[Float]] { fixture.pixel.maps.map { $0.map(Float.init) } }
    static var masks: [[Float]] { fixture.pixel.masks.map { $0.map(Float.init) } }

    @Test(arguments: 0..<fixture.ranking.count)
    func rankingMetricsEqualScikitLearn(_ index: Int) {
        let c = Self.fixture.ranking[index]
        let ranked = RankedScores(scores: c.scores.map(Float.init), labels: c.labels)
        #expect(abs(ImageAUROC.compute(scores: c.scores.map(Float.init), labels: c.labels) - c.auroc) < 1e-12, "\(c.name) AUROC")
        #expect(abs(ranked.averagePrecision() - c.averagePrecision) < 1e-12, "\(c.name) AP")
        #expect(abs(ranked.f1Max().f1 - c.f1Max) < 1e-12, "\(c.name) F1-max")
    }

    @Test func pixelMetricsEqualScikitLearnAndMVTec() throws {
        let p = Self.fixture.pixel
        #expect(abs(try PixelAUROC.compute(maps: Self.maps, masks: Self.masks) - p.auroc) < 1e-12)
        let ranked = RankedScores(scores: Self.maps.flatMap { $0 }, labels: Self.masks.flatMap { $0 }.map { $0 != 0 })
        #expect(abs(ranked.auroc() - p.auroc) < 1e-12)
        #expect(abs(ranked.averagePrecision() - p.averagePrecision) < 1e-12)
        #expect(abs(ranked.f1Max().f1 - p.f1Max) < 1e-12)
        // The radix-sorted accumulator gives the same F1-max as sklearn, without sorting with a comparator.
        var accumulator = PixelAUROC()
        for (map, mask) in zip(Self.maps, Self.masks) { try accumulator.add(map: map, mask: mask) }
        #expect(abs(accumulator.compute() - p.auroc) < 1e-12)
        #expect(abs(accumulator.f1Max() - p.f1Max) < 1e-12, "pixel F1-max \(accumulator.f1Max()) vs \(p.f1Max)")
        let aupro = try AUPRO.compute(maps: Self.maps, masks: Self.masks, width: p.width, height: p.height)
        #expect(abs(aupro - p.aupro) < 1e-9, "AUPRO \(aupro) vs \(p.aupro)")
        // One sort for all three, as experiments are scored.
        let together = try PixelMetrics(maps: Self.maps, regions: AUPRO.Regions(masks: Self.masks, width: p.width, height: p.height))
        #expect(abs(together.auroc - p.auroc) < 1e-12 && abs(together.f1Max - p.f1Max) < 1e-12 && abs(together.aupro - p.aupro) < 1e-9,
                "one walk: AUROC \(together.auroc), F1-max \(together.f1Max), AUPRO \(together.aupro)")
        let regions = Self.masks.reduce(0) { $0 + ConnectedComponents.label($1, width: p.width, height: p.height).count }
        #expect(regions == p.regions, "8-connected regions")
    }

    /// The AUPRO integrated while the curve is walked equals the trapezoids over the whole curve, ties and limits included.
    @Test(arguments: [0.05, 0.3, 1.0])
    func auproIntegratedOnlineEqualsTheCurvesArea(_ limit: Double) throws {
        var generator = SplitMix64(seed: 9)
        let side = 12
        let masks = (0..<4).map { i in (0..<(side * side)).map { p -> Float in i > 0 && (p % side) < 2 + i && p / side > 6 ? 1 : 0 } }
        // Scores on a coarse grid of values, so many pixels tie.
        let maps = masks.map { mask in mask.map { Float(generator.next() % 7) / 7 + $0 * 0.3 } }
        let (x, y) = try AUPRO.curve(maps: maps, masks: masks, width: side, height: side)
        let expected = AUPRO.trapezoidArea(x: x, y: y, xMax: limit) / limit
        let online = try AUPRO.compute(maps: maps, regions: AUPRO.Regions(masks: masks, width: side, height: side), integrationLimit: limit)
        #expect(abs(online - expected) < 1e-12, "limit \(limit): \(online) vs \(expected)")
    }

    @Test func bootstrapIntervalHoldsTheEstimateAndNarrowsWithMoreImages() {
        var generator = SplitMix64(seed: 3)
        func sample(_ n: Int) -> ([Float], [Bool]) {
            let labels = (0..<n).map { $0 % 3 == 0 }
            let scores = labels.map { Float(Double(generator.next() % 1000) / 1000) + ($0 ? 0.3 : 0) }
            return (scores, labels)
        }
        let (s1, l1) = sample(60), (s2, l2) = sample(600)
        let small = ImageAUROC.bootstrapInterval(scores: s1, labels: l1, resamples: 400, seed: 1)
        let large = ImageAUROC.bootstrapInterval(scores: s2, labels: l2, resamples: 400, seed: 1)
        #expect(small.contains(ImageAUROC.compute(scores: s1, labels: l1)))
        #expect(large.upperBound - large.lowerBound < (small.upperBound - small.lowerBound) * 0.6)
        #expect(ImageAUROC.bootstrapInterval(scores: s1, labels: l1, resamples: 400, seed: 1) == small, "seeded: repeatable")
    }

    @Test func evaluationMapsMatchTorchAndScipy() {
        let e = Self.fixture.evaluation
        let grid = e.grid.map(Float.init)
        let up = EvaluationMap.make(patchScores: grid, gridWidth: 7, gridHeight: 5, size: 20, sigma: 0)
        #expect(zip(up, e.upsampled).allSatisfy { abs(Double($0) - $1) < 1e-6 }, "bilinear as F.interpolate")
        let blurred = EvaluationMap.make(patchScores: grid, gridWidth: 7, gridHeight: 5, size: 20, sigma: 2)
        let worst = zip(blurred, e.blurred).map { abs(Double($0) - $1) }.max()!
        #expect(worst < 1e-5, "Gaussian blur as scipy: \(worst)")
        let nearest = Resampling.resize(e.mask.map(Float.init), width: 13, height: 9, channels: 1, toWidth: 20, toHeight: 17, filter: .nearest)
        #expect(nearest.map { Int($0) } == e.maskNearest, "masks resized with nearest as PIL")
    }

    @Test func degenerateInputsAreNaNOrErrors() {
        #expect(ImageAUROC.compute(scores: [0.1, 0.2], labels: [true, true]).isNaN)
        #expect(throws: EngineError.self) { try PixelAUROC.compute(maps: [[0.5, .nan]], masks: [[0, 1]]) }
        #expect(throws: EngineError.self) { try PixelAUROC.compute(maps: [[0.5]], masks: [[0, 1]]) }
    }
}
