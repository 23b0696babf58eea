// The thin experiment runner: one class of one dataset, one method, from shots to metrics.
// Frozen features come from the feature cache (the backbone never sees an image twice); the
// prompt learning and the scorers are the pure parts in Detectors/; a finished run is memoised.
import Foundation

/// A loaded model with the name results cite and the cache its features live in.
public struct ExperimentModel: @unchecked Sendable {
    public let clip: CLIPModel
    /// How results name the weights ("embedded synthetic CLIP", a file name, ...).
    public let name: String
    public let identity: String
    public let cache: FeatureCache

    /// `featureCode`: a fingerprint of the code that computes frozen features; with the weights' bytes and the
    /// architecture as loaded (activation and heads come from a JSON beside the weights), it names the features.
    public init(clip: CLIPModel, name: String, cache: FeatureCache, featureCode: String = "") throws {
        self.clip = clip; self.name = name; self.cache = cache
        let c = clip.configuration
        let architecture = c.summary.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + ",activation=\(c.activation.rawValue)"
        identity = FileDigests.sha256(Data("weights=\(try clip.weightsIdentity(digests: cache.digests))\n\(architecture)\nfeatures=\(featureCode)".utf8))
    }
}

public struct Experiment: Sendable {
    public var configuration: ExperimentConfiguration
    public var dataRoot: String

    public init(_ configuration: ExperimentConfiguration, dataRoot: String) {
        self.configuration = configuration
        self.dataRoot = URL(fileURLWithPath: dataRoot).standardizedFileURL.path
    }

    /// The memo key: the configuration, the weights, the class's files (by content) and the code.
    public func key(model: ExperimentModel, code: String, split: AnomalyClass) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var text = String(decoding: try encoder.encode(configuration), as: UTF8.self)
        text += "\nmodel=\(model.identity)\ncode=\(code)\n"
        let paths = (split.train + split.test).flatMap({ [$0.path] + ($0.mask.map { [$0] } ?? []) }).sorted()
        for (path, digest) in zip(paths, try model.cache.digests.digests(of: paths)) {
            text += "\(relative(path))\t\(digest)\n"
        }
        return FeatureCache.key(content: Data(text.utf8), model: "experiment", preprocessing: "")
    }

    func relative(_ path: String) -> String {
        path.hasPrefix(dataRoot + "/") ? String(path.dropFirst(dataRoot.count + 1)) : path
    }

    /// Runs the experiment, or returns the memoised result of the same configuration on the same model, data and code
    /// (`rerun`: run anyway and replace it).
    public func run(model: ExperimentModel, store: ExperimentStore? = nil, code: String = Engine.version, rerun: Bool = false)
        throws -> (result: ExperimentResult, memoised: Bool) {
        let c = configuration
        try c.validate()
        let split = try AnomalyDataset(kind: c.dataset, root: dataRoot).load(c.className)
        let key = try key(model: model, code: code, split: split)
        if !rerun, let store, let memo = store.load(key) { return (memo, true) }
        let run = ExperimentRun(experiment: self, model: model, split: split)
        var result = try run.execute()
        result.runID = key; result.code = code; result.finished = ISO8601DateFormatter().string(from: Date())
        try store?.store(result, key: key)
        return (result, false)
    }
}

/// One execution: the state that lives while an experiment runs.
final class ExperimentRun {
    let experiment: Experiment
    let model: ExperimentModel
    let split: AnomalyClass
    var seconds: [String: Double] = [:]
    var hits = 0, misses = 0

    init(experiment: Experiment, model: ExperimentModel, split: AnomalyClass) {
        self.experiment = experiment; self.model = model; self.split = split
    }

    var c: ExperimentConfiguration { experiment.configuration }
    var taps: [Int] { c.resolvedTaps(layers: model.clip.configuration.vision.layers) }

    func timed<T>(_ phase: String, _ body: () throws -> T) rethrows -> T {
        let start = Date()
        defer { seconds[phase, default: 0] += Date().timeIntervalSince(start) }
        return try body()
    }

    /// V-V tokens and taps, always both, so every method shares one cache entry per image.
    func features(file path: String) throws -> VisionOutput {
        let (output, hit) = try model.clip.cachedVisionFeatures(file: path, surgery: true, taps: taps, geometry: c.geometry, cache: model.cache, identity: model.identity)
        if hit { hits += 1 } else { misses += 1 }
        return output
    }

    func features(image: Image) throws -> VisionOutput {
        let (output, hit) = try model.clip.cachedVisionFeatures(image: image, surgery: true, taps: taps, geometry: c.geometry, cache: model.cache, identity: model.identity)
        if hit { hits += 1 } else { misses += 1 }
        return output
    }

    func shots() throws -> [AnomalySample] {
        if c.shots == 1 && c.promptADShots && (c.dataset == .mvtec || c.dataset == .visa),
           let pick = try? ShotSelection.promptAD(split.train, dataset: c.dataset, className: c.className) {
            return [pick]
        }
        return try ShotSelection.seeded(split.train, k: c.shots, seed: c.seed)
    }

    func execute() throws -> ExperimentResult {
        if c.method.isWinCLIP { return try executeWinCLIP() }
        let clip = model.clip
        let shots = try shots()
        let encodeShots = ProgressTracker("encoding shots", total: shots.count)
        let shotFeatures = try timed("encode shots") {
            try shots.map { shot in defer { encodeShots.step() }; return try self.features(file: shot.path) }
        }
        let anomalies = try timed("encode shots") {
            try FewShotDetector.anomalies(from: try shots.map { try ImageFile.read($0.path) }, configuration: c) { try self.features(image: $0) }
        }
        let detector = try timed("train") { try FewShotDetector(configuration: c, model: clip, taps: taps).fit(shots: shotFeatures, anomalies: anomalies) }
        let losses = detector.losses

        let progress = ProgressTracker("encoding test images", total: split.test.count)
        var images: [ScoredImage] = []
        for sample in split.test {
            let f = try timed("encode test") { try self.features(file: sample.path) }
            defer { progress.step() }
            let (patchMap, score) = timed("score") { detector.score(f) }
            let scored = ScoredImage(path: experiment.relative(sample.path), defect: sample.defect,
                                     mask: sample.mask.map(experiment.relative), score: score, patchMap: patchMap)
            images.append(scored)
        }
        return try finish(shots: shots, images: images, losses: losses)
    }

    /// The result with its metrics, times and cache counts.
    func finish(shots: [AnomalySample], images: [ScoredImage], losses: [Float]) throws -> ExperimentResult {
        let v = model.clip.configuration.vision
        var result = ExperimentResult(configuration: c, model: model.name, modelIdentity: model.identity, dataRoot: experiment.dataRoot,
                                      shots: shots.map { experiment.relative($0.path) }, taps: c.method.isWinCLIP ? [] : taps,
                                      gridWidth: v.gridWidth, gridHeight: v.gridHeight, images: images,
                                      metrics: ExperimentMetrics(imageAUROC: 0, pixelAUROC: 0, aupro: 0, f1max: 0, pixelF1max: 0, imageAUROCInterval: []),
                                      losses: losses, seconds: [:], cacheHits: 0, cacheMisses: 0)
        result.metrics = try timed("metrics") { try ExperimentScoring.metrics(result) }
        result.seconds = seconds
        result.cacheHits = hits; result.cacheMisses = misses
        return result
    }
}
