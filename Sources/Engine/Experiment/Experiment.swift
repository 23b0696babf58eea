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

    /// Runs several experiments, or takes them from the memo, sharing what can be shared: the prompt
    /// training of every experiment that learns prompts runs in batches through the text tower (one
    /// class's settings and draws step together), and identical classification learners train once.
    /// Each result is what `run` would give, up to the rounding of larger matrix products.
    public static func runAll(_ experiments: [Experiment], model: ExperimentModel, store: ExperimentStore? = nil, code: String = Engine.version,
                              rerun: Bool = false) throws -> [(result: ExperimentResult, memoised: Bool)] {
        var done = [(result: ExperimentResult, memoised: Bool)?](repeating: nil, count: experiments.count)
        var splits: [String: AnomalyClass] = [:]
        /// An experiment to run: WinCLIP's (nothing to fit), fitted (the memory) or with prompts to train.
        struct Pending { let index: Int, key: String, run: ExperimentRun; var shots: [AnomalySample] = []; var detector: FittedDetector? = nil; var training: Int? = nil }
        var pending: [Pending] = [], trainings: [PromptTraining] = []
        for (i, experiment) in experiments.enumerated() {
            let c = experiment.configuration
            try c.validate()
            let splitKey = "\(c.dataset.rawValue)|\(experiment.dataRoot)|\(c.className)"
            let split = try splits[splitKey] ?? AnomalyDataset(kind: c.dataset, root: experiment.dataRoot).load(c.className)
            splits[splitKey] = split
            let key = try experiment.key(model: model, code: code, split: split)
            if !rerun, let store, let memo = store.load(key) { done[i] = (memo, true); continue }
            var item = Pending(index: i, key: key, run: ExperimentRun(experiment: experiment, model: model, split: split))
            if !c.method.isWinCLIP {
                let (shots, preparation) = try item.run.prepare()
                item.shots = shots
                switch preparation {
                case .training(let training): item.training = trainings.count; trainings.append(training)
                case .fitted(let detector): item.detector = detector
                }
            }
            pending.append(item)
        }
        // Learners trained before (by another experiment, chapter or build) are not trained again.
        let learnerStore = store.map { LearnerStore(directory: $0.directory.appendingPathComponent("learners"), code: code + "|" + model.identity) }
        if !rerun { PromptTraining.recall(&trainings, from: learnerStore) }
        // The plan, before anything long runs: what is memoised, what runs, and the time it should take.
        let batches = PromptTraining.batches(trainings)
        var plan = RunPlan(memoised: done.compactMap { $0 }.count, toRun: pending.count, learners: batches.reduce(0) { $0 + $1.learners },
                           learnerEpochs: batches.reduce(0) { $0 + $1.learners * $1.epochs },
                           scoredImages: pending.reduce(0) { $0 + $1.run.split.test.count }, imagesToEncode: 0, estimatedSeconds: nil)
        var toEncode = Set<String>()
        for item in pending where !item.run.c.method.isWinCLIP {
            for sample in item.run.split.test {
                // A tiled image counts once per tile: each is an image to the model.
                for (n, tile) in item.run.views(try item.run.tiling(sample.path)).enumerated() where !toEncode.contains("\(sample.path)#\(n)") {
                    if !model.clip.visionFeaturesCached(file: sample.path, tile: tile, surgery: true, taps: item.run.taps, geometry: item.run.c.geometry,
                                                         cache: model.cache, identity: model.identity) { toEncode.insert("\(sample.path)#\(n)") }
                }
            }
        }
        plan.imagesToEncode = toEncode.count
        var costs = UnitCosts.load(store: store, model: model)
        plan.estimatedSeconds = costs.estimate(plan)
        if experiments.count > 1 { Notice.post(plan.line(batches: batches.count)) }
        let started = Date()
        try PromptTraining.run(&trainings, batches: batches, store: learnerStore)
        let trainingSeconds = Date().timeIntervalSince(started)
        // The joint training's time, shared equally among the experiments that took part.
        let share = trainings.isEmpty ? 0 : trainingSeconds / Double(trainings.count)
        let scoring = ProgressTracker("scoring experiments", total: pending.count)
        // One class's test set at a time: its masks, regions and visual maps are made once for all its experiments.
        var order: [String] = [], byTestSet: [String: [Int]] = [:]
        for (p, item) in pending.enumerated() {
            let key = TestSetScoring.key(item.run.experiment)
            if byTestSet[key] == nil { order.append(key) }
            byTestSet[key, default: []].append(p)
        }
        for key in order {
            var testSet: TestSetScoring? = nil
            for p in byTestSet[key]! {
                let item = pending[p]
                if testSet == nil { testSet = try item.run.testSet() }
                let result: ExperimentResult
                if item.run.c.method.isWinCLIP {
                    result = try item.run.executeWinCLIP(testSet: testSet)
                } else if let t = item.training {
                    item.run.seconds["train", default: 0] += share
                    result = try item.run.complete(shots: item.shots, detector: try trainings[t].finish(), testSet: testSet)
                } else {
                    result = try item.run.complete(shots: item.shots, detector: item.detector!, testSet: testSet)
                }
                done[item.index] = (try experiments[item.index].stamp(result, key: item.key, code: code, store: store), false)
                scoring.step()
            }
        }
        // This run's unit costs, for the next plan's estimate.
        let ran = pending.map { done[$0.index]!.result }
        func total(_ phases: [String]) -> Double { ran.reduce(0) { sum, r in sum + phases.reduce(0) { $0 + (r.seconds[$1] ?? 0) } } }
        let misses = ran.reduce(0) { $0 + $1.cacheMisses }, scored = ran.reduce(0) { $0 + $1.images.count }
        costs = costs.updated(with: UnitCosts(secondsPerLearnerEpoch: plan.learnerEpochs > 0 ? trainingSeconds / Double(plan.learnerEpochs) : nil,
                                              secondsPerScoredImage: scored > 0 ? total(["score", "metrics", "text"]) / Double(scored) : nil,
                                              secondsPerEncodedImage: misses > 0 ? total(["encode test", "encode shots"]) / Double(misses) : nil))
        if !pending.isEmpty { costs.save(store: store, model: model) }
        return done.map { $0! }
    }

    /// A finished run's identity, code and time, and its place in the memo.
    func stamp(_ result: ExperimentResult, key: String, code: String, store: ExperimentStore?) throws -> ExperimentResult {
        var result = result
        result.runID = key; result.code = code; result.finished = ISO8601DateFormatter().string(from: Date())
        try store?.store(result, key: key)
        return result
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
        return (try stamp(ExperimentRun(experiment: self, model: model, split: split).execute(), key: key, code: code, store: store), false)
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

    /// V-V tokens and taps, always both, so every method shares one cache entry per image (per tile, when tiled).
    func features(file path: String, tile: Tiling.Tile? = nil) throws -> VisionOutput {
        let (output, hit) = try model.clip.cachedVisionFeatures(file: path, tile: tile, surgery: true, taps: taps, geometry: c.geometry,
                                                                cache: model.cache, identity: model.identity)
        if hit { hits += 1 } else { misses += 1 }
        return output
    }

    /// How an image file is seen: nil whole (the paper's resize), or in the tiles of the configuration's `tile`.
    func tiling(_ path: String) throws -> Tiling? {
        guard c.tile != .off else { return nil }
        let size = try ImageFile.size(path), v = model.clip.configuration.vision
        return c.tile.tiling(width: size.width, height: size.height, inputSide: max(v.imageWidth, v.imageHeight))
    }

    /// The views the model sees of an image: its tiles, or [nil] for the whole image.
    func views(_ tiling: Tiling?) -> [Tiling.Tile?] { tiling?.tiles ?? [nil] }

    /// The features of every view of an image file, in `views` order.
    func viewFeatures(file path: String, tiling: Tiling?) throws -> [VisionOutput] {
        try views(tiling).map { try features(file: path, tile: $0) }
    }

    func features(image: Image) throws -> VisionOutput {
        let (output, hit) = try model.clip.cachedVisionFeatures(image: image, surgery: true, taps: taps, geometry: c.geometry, cache: model.cache, identity: model.identity)
        if hit { hits += 1 } else { misses += 1 }
        return output
    }

    func shots() throws -> [AnomalySample] { try ShotSelection.shots(split.train, configuration: c) }

    func execute() throws -> ExperimentResult {
        if c.method.isWinCLIP { return try executeWinCLIP() }
        let (shots, preparation) = try prepare()
        switch preparation {
        case .fitted(let detector): return try complete(shots: shots, detector: detector)
        case .training(let training):
            var trainings = [training]
            try timed("train") { try PromptTraining.run(&trainings) }
            return try complete(shots: shots, detector: try trainings[0].finish())
        }
    }

    /// The shots, their features and the detector's fitting, up to the prompt training (which may run with others').
    func prepare() throws -> (shots: [AnomalySample], preparation: FewShotDetector.Preparation) {
        let clip = model.clip
        let shots = try shots()
        let encodeShots = ProgressTracker("encoding shots", total: shots.count)
        // A tiled shot gives one shot per tile, as `report detect` sees a part's normal image.
        let shotFeatures = try timed("encode shots") {
            try shots.flatMap { shot in defer { encodeShots.step() }; return try self.viewFeatures(file: shot.path, tiling: try self.tiling(shot.path)) }
        }
        let anomalies = try timed("encode shots") {
            let views = try shots.flatMap { shot -> [Image] in
                let image = try ImageFile.read(shot.path)
                guard let tiling = try tiling(shot.path) else { return [image] }
                return tiling.tiles.map { tiling.crop(image, $0) }
            }
            return try FewShotDetector.anomalies(from: views, configuration: c) { try self.features(image: $0) }
        }
        let preparation = try timed("train") { try FewShotDetector(configuration: c, model: clip, taps: taps).prepare(shots: shotFeatures, anomalies: anomalies) }
        return (shots, preparation)
    }

    /// The masks and regions of this run's test set, for it and the other runs on it.
    func testSet() throws -> TestSetScoring {
        let images = split.test.map { ScoredImage(path: experiment.relative($0.path), defect: $0.defect, mask: $0.mask.map(experiment.relative), score: 0, patchMap: []) }
        return try TestSetScoring(images: images, root: experiment.dataRoot, size: c.evaluationSize, geometry: c.geometry)
    }

    /// Scores the test images with the fitted detector and measures; `testSet` shares masks and visual maps with other runs.
    func complete(shots: [AnomalySample], detector: FittedDetector, testSet: TestSetScoring? = nil) throws -> ExperimentResult {
        let progress = ProgressTracker("encoding test images", total: split.test.count)
        var images: [ScoredImage] = []
        for sample in split.test {
            let tiling = try tiling(sample.path)
            let features = try timed("encode test") { try self.viewFeatures(file: sample.path, tiling: tiling) }
            defer { progress.step() }
            let scoredViews = timed("score") { features.enumerated().map { n, f -> (patchMap: [Float], score: Float) in
                guard let testSet else { return detector.score(f) }
                let visual = testSet.visualMap(shots: shots.map(\.path), taps: taps, image: tiling == nil ? sample.path : "\(sample.path)#\(n)") { detector.visualMap(f) }
                return detector.score(f, visual: visual)
            } }
            // **[choice]** a tiled image scores as its most anomalous tile; its deviations (Figure 1's) are kept for whole images only.
            let scored = ScoredImage(path: experiment.relative(sample.path), defect: sample.defect, mask: sample.mask.map(experiment.relative),
                                     score: scoredViews.map(\.score).max()!, patchMap: scoredViews.flatMap(\.patchMap),
                                     deviations: tiling == nil ? detector.deviations(features[0]) : nil, tiling: tiling)
            images.append(scored)
        }
        return try finish(shots: shots, images: images, losses: detector.losses, testSet: testSet)
    }

    /// The result with its metrics, times and cache counts.
    func finish(shots: [AnomalySample], images: [ScoredImage], losses: [Float], testSet: TestSetScoring? = nil) throws -> ExperimentResult {
        let v = model.clip.configuration.vision
        var result = ExperimentResult(configuration: c, model: model.name, modelIdentity: model.identity, dataRoot: experiment.dataRoot,
                                      shots: shots.map { experiment.relative($0.path) }, taps: c.method.isWinCLIP ? [] : taps,
                                      gridWidth: v.gridWidth, gridHeight: v.gridHeight, images: images,
                                      metrics: ExperimentMetrics(imageAUROC: 0, pixelAUROC: 0, aupro: 0, f1max: 0, pixelF1max: 0, imageAUROCInterval: []),
                                      losses: losses, seconds: [:], cacheHits: 0, cacheMisses: 0)
        result.metrics = try timed("metrics") { try ExperimentScoring.metrics(result, testSet: testSet) }
        result.seconds = seconds
        result.cacheHits = hits; result.cacheMisses = misses
        return result
    }
}
