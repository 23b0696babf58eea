// Per-class metrics of a finished experiment, from its patch maps and the ground-truth masks
// (read from the dataset, nearest-resized to the evaluation size, non-zero = defect).
import Foundation

public enum ExperimentScoring {
    /// The mask of a scored image at the evaluation size, in the experiment's geometry (the pixels its map covers); zeros for a normal image.
    public static func mask(_ image: ScoredImage, root: String, size: Int, geometry: InputGeometry) throws -> [Float] {
        guard let mask = image.mask else { return [Float](repeating: 0, count: size * size) }
        let path = mask.hasPrefix("/") ? mask : root + "/" + mask
        return geometry.mask(try ImageFile.read(path), side: size)
    }

    public static func metrics(_ result: ExperimentResult) throws -> ExperimentMetrics {
        try metrics(result, testSet: nil)
    }

    /// `testSet`: the masks and regions of the result's test images, when other experiments share them.
    static func metrics(_ result: ExperimentResult, testSet: TestSetScoring?) throws -> ExperimentMetrics {
        let size = result.configuration.evaluationSize
        let maps = Parallel.map(result.images, result.evaluationMap)
        let testSet = try testSet ?? TestSetScoring(images: result.images, root: result.dataRoot, size: size, geometry: result.configuration.geometry)
        let scores = result.images.map(\.score), labels = result.images.map(\.isDefective)
        let interval = ImageAUROC.bootstrapInterval(scores: scores, labels: labels, seed: result.configuration.seed)
        let pixels = try PixelMetrics(maps: maps, regions: testSet.regions)
        return ExperimentMetrics(imageAUROC: ImageAUROC.compute(scores: scores, labels: labels),
                                 pixelAUROC: pixels.auroc,
                                 aupro: pixels.aupro,
                                 f1max: RankedScores(scores: scores, labels: labels).f1Max().f1,
                                 pixelF1max: pixels.f1Max,
                                 imageAUROCInterval: [interval.lowerBound, interval.upperBound])
    }
}

extension ExperimentScoring {
    /// Image and pixel AUROC on several subsets of the test images (normal images and some defect
    /// kinds), each map and mask made once for all of them.
    public static func aurocs(_ result: ExperimentResult, subsets: [(ScoredImage) -> Bool]) throws -> [(image: Double, pixel: Double)] {
        let size = result.configuration.evaluationSize
        let maps = result.images.map(result.evaluationMap)
        let masks = try result.images.map { try mask($0, root: result.dataRoot, size: size, geometry: result.configuration.geometry) }
        return try subsets.map { keep in
            let chosen = result.images.indices.filter { keep(result.images[$0]) }
            return (ImageAUROC.compute(scores: chosen.map { result.images[$0].score }, labels: chosen.map { result.images[$0].isDefective }),
                    try PixelAUROC.compute(maps: chosen.map { maps[$0] }, masks: chosen.map { masks[$0] }))
        }
    }
}
