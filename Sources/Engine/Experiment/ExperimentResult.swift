// What a finished experiment holds: per-image scores and patch maps (evaluation maps are made from
// them on demand), per-class metrics, and the wall time of each phase. Codable, so it is memoised.
import Foundation

public struct ScoredImage: Codable, Sendable {
    /// Path relative to the dataset root.
    public var path: String
    public var defect: String
    public var mask: String?
    public var isDefective: Bool { defect != "good" }
    public var score: Float
    /// (gridHeight, gridWidth) patch scores, before upsampling and blur; for an image seen in tiles, each tile's in turn.
    public var patchMap: [Float]
    /// How the image was tiled (its size and the tiles' side); nil: seen whole.
    public var tiling: Tiling?
    /// DevPrompt: the raw deviations d(p) of Eq. 6 on the grid, in standard deviations of the reference prior (Figure 1).
    public var deviations: [Float]?

    public init(path: String, defect: String, mask: String?, score: Float, patchMap: [Float], deviations: [Float]? = nil, tiling: Tiling? = nil) {
        self.path = path; self.defect = defect; self.mask = mask; self.score = score; self.patchMap = patchMap; self.deviations = deviations
        self.tiling = tiling
    }
}

public struct ExperimentMetrics: Codable, Sendable, Equatable {
    public var imageAUROC: Double
    public var pixelAUROC: Double
    public var aupro: Double
    /// Image-level F1-max (the best F1 over thresholds on the image scores).
    public var f1max: Double
    /// Pixel-level F1-max over every pixel of the evaluation maps.
    public var pixelF1max: Double
    /// 95% bootstrap interval of the image AUROC (1000 resamples of the test images).
    public var imageAUROCInterval: [Double]
}

public struct ExperimentResult: Codable, Sendable {
    public var configuration: ExperimentConfiguration
    /// Which weights ran (a name and the file's identity) and which data root.
    public var model: String
    public var modelIdentity: String
    public var dataRoot: String
    public var shots: [String]
    public var taps: [Int]
    public var gridWidth: Int
    public var gridHeight: Int
    public var images: [ScoredImage]
    public var metrics: ExperimentMetrics
    /// Loss before each epoch's update (empty for the memory baseline).
    public var losses: [Float]
    /// Seconds per phase: "encode shots", "train", "encode test", "score", "metrics".
    public var seconds: [String: Double]
    /// How many frozen-feature lookups were answered by the cache.
    public var cacheHits: Int
    public var cacheMisses: Int
    /// The memo key the run is stored under (its identity in the report: output/runs/<runID>.json), the code
    /// that computed it (the engine's version and source fingerprint) and when it finished (ISO 8601).
    public var runID: String?
    public var code: String?
    public var finished: String?

    public var normalCount: Int { images.filter { !$0.isDefective }.count }
    public var defectiveCount: Int { images.count - normalCount }

    /// An image's evaluation map: bilinear upsampling of its patch map to the evaluation size, blurred (sigma 4).
    /// A tiled image's: each tile's map at its side in the image's pixels, blended over the image, then brought to the
    /// evaluation size in the configuration's geometry, so it covers the pixels its mask does.
    public func evaluationMap(_ image: ScoredImage) -> [Float] {
        guard let tiling = image.tiling else {
            return EvaluationMap.make(patchScores: image.patchMap, gridWidth: gridWidth, gridHeight: gridHeight, size: configuration.evaluationSize)
        }
        return configuration.geometry.map(tiling.blend(patchMaps: image.patchMap, gridWidth: gridWidth, gridHeight: gridHeight), width: tiling.width, height: tiling.height, side: configuration.evaluationSize)
    }
}
