// Does a model beat its controls? Zero-shot (prompt ensembles) and 1-shot (visual memory, PromptAD,
// DevPrompt) scores on the synthetic test split, per class, on seen and unseen defect kinds apart,
// for the model, the same architecture with random weights, and a raw-pixel patch memory.
import Foundation

public struct ComparisonValue: Codable, Sendable {
    public var metric: String
    public var arm: String
    public var className: String
    /// "all", "seen" (defect kinds in pretraining) or "unseen" (kinds held out of it), each with every normal image.
    public var subset: String
    public var value: Double
}

public struct ModelComparison: Codable, Sendable {
    public static let zeroShotImage = "zero-shot image AUROC", zeroShotPixel = "zero-shot pixel AUROC (V-V tokens)"
    public static let memoryPixel = "1-shot visual memory pixel AUROC", promptADPixel = "1-shot PromptAD pixel AUROC"
    public static let devPromptPixel = "1-shot DevPrompt pixel AUROC", rawPixel = "1-shot raw-pixel memory pixel AUROC"
    public static let model = "model", random = "random weights", raw = "raw-pixel memory"

    public var modelName: String
    public var controlName: String
    public var dataRoot: String
    public var unseenDefects: [String]
    public var epochs: Int
    public var values: [ComparisonValue]

    public func value(_ metric: String, _ arm: String, _ className: String, _ subset: String = "all") -> Double? {
        values.first { $0.metric == metric && $0.arm == arm && $0.className == className && $0.subset == subset }?.value
    }

    public var classes: [String] { Array(Set(values.map(\.className))).sorted() }

    public func mean(_ metric: String, _ arm: String, _ subset: String = "all") -> Double {
        let xs = classes.compactMap { value(metric, arm, $0, subset) }.filter { !$0.isNaN }
        return xs.reduce(0, +) / Double(max(xs.count, 1))
    }

    /// The mean over classes of (a - b), with a 95% percentile interval from resampling the classes (paired, seeded).
    public func difference(_ metricA: String, _ armA: String, _ metricB: String, _ armB: String, _ subset: String = "all",
                           resamples: Int = 10000) -> (mean: Double, low: Double, high: Double) {
        let d = classes.compactMap { c -> Double? in
            guard let a = value(metricA, armA, c, subset), let b = value(metricB, armB, c, subset), !a.isNaN, !b.isNaN else { return nil }
            return a - b
        }
        guard !d.isEmpty else { return (.nan, .nan, .nan) }
        let interval = Bootstrap.interval(count: d.count, resamples: resamples, seed: 1) { drawn in
            drawn.reduce(0) { $0 + d[$1] } / Double(d.count)
        }
        return (d.reduce(0, +) / Double(d.count), interval.lowerBound, interval.upperBound)
    }
}

public enum ModelComparisonRun {
    /// `model` against `control` (the same architecture, random weights) on the synthetic benchmark at `dataRoot`.
    public static func run(model: ExperimentModel, control: ExperimentModel, dataRoot: String, classes: [String], epochs: Int = DetectorSettings().epochs,
                           unseen: Set<String> = Set(CaptionStream.defaultReserved.map(\.rawValue)),
                           store: ExperimentStore?, code: String) throws -> ModelComparison {
        var values: [ComparisonValue] = []
        let subsets: [(String, (ScoredImage) -> Bool)] = [("all", { _ in true }), ("seen", { !unseen.contains($0.defect) }),
                                                          ("unseen", { !$0.isDefective || unseen.contains($0.defect) })]
        func record(_ metric: String, _ arm: String, _ className: String, _ result: ExperimentResult) throws {
            let scores = try ExperimentScoring.aurocs(result, subsets: subsets.map(\.1))
            for ((subset, _), score) in zip(subsets, scores) {
                values.append(ComparisonValue(metric: metric, arm: arm, className: className, subset: subset, value: score.pixel))
            }
        }
        // The three detectors the comparison reads, every class of an arm run together (their prompt training batched).
        let methods: [DetectionMethod] = [.memory, .promptad, .devprompt]
        var outcomes: [String: [String: [DetectionMethod: ExperimentResult]]] = [:]
        for (arm, candidate) in [(ModelComparison.model, model), (ModelComparison.random, control)] {
            let configurations = classes.flatMap { className in
                methods.map { method -> ExperimentConfiguration in
                    var c = ExperimentConfiguration(dataset: .synthetic, className: className)
                    c.method = method; c.epochs = epochs
                    return c
                }
            }
            let ran = try Experiment.runAll(configurations.map { Experiment($0, dataRoot: dataRoot) }, model: candidate, store: store, code: code)
            for (c, outcome) in zip(configurations, ran) { outcomes[arm, default: [:]][c.className, default: [:]][c.method] = outcome.result }
        }
        let progress = ProgressTracker("comparing models (classes)", total: classes.count)
        for className in classes {
            for (arm, candidate) in [(ModelComparison.model, model), (ModelComparison.random, control)] {
                let results = outcomes[arm]![className]!
                try record(ModelComparison.memoryPixel, arm, className, results[.memory]!)
                try record(ModelComparison.promptADPixel, arm, className, results[.promptad]!)
                try record(ModelComparison.devPromptPixel, arm, className, results[.devprompt]!)
                let zeroShot = try ExperimentScoring.aurocs(try zeroShotResult(candidate, like: results[.memory]!), subsets: subsets.map(\.1))
                for ((subset, _), score) in zip(subsets, zeroShot) {
                    values.append(ComparisonValue(metric: ModelComparison.zeroShotImage, arm: arm, className: className, subset: subset, value: score.image))
                    values.append(ComparisonValue(metric: ModelComparison.zeroShotPixel, arm: arm, className: className, subset: subset, value: score.pixel))
                }
                if arm == ModelComparison.model { try record(ModelComparison.rawPixel, ModelComparison.raw, className, try rawMemoryResult(like: results[.memory]!)) }
            }
            progress.step()
        }
        return ModelComparison(modelName: model.name, controlName: control.name, dataRoot: dataRoot, unseenDefects: unseen.sorted(),
                               epochs: epochs, values: values)
    }

    /// Zero-shot scores of the same test images (their features come from the cache).
    static func zeroShotResult(_ model: ExperimentModel, like template: ExperimentResult) throws -> ExperimentResult {
        let prototypes = try ZeroShot.prototypes(model.clip, className: template.configuration.className)
        var result = template
        result.images = try template.images.map { image in
            let (output, _) = try model.clip.cachedVisionFeatures(file: template.dataRoot + "/" + image.path, surgery: true, taps: template.taps, geometry: template.configuration.geometry,
                                                                  cache: model.cache, identity: model.identity)
            let (score, map) = ZeroShot.score(output, prototypes: prototypes, embedDimension: model.clip.configuration.embedDimension)
            var scored = image
            scored.score = score; scored.patchMap = map
            return scored
        }
        return result
    }

    /// The raw-pixel patch memory (8x8 patches) on the same shot and test images.
    static func rawMemoryResult(like template: ExperimentResult) throws -> ExperimentResult {
        var memory = RawPatchMemory(patch: 8, stride: 8)
        memory.fit(try template.shots.map { try ImageFile.read(template.dataRoot + "/" + $0) })
        var result = template
        result.images = try template.images.map { image in
            let (scores, gw, gh) = memory.score(try ImageFile.read(template.dataRoot + "/" + image.path))
            result.gridWidth = gw; result.gridHeight = gh
            var scored = image
            scored.score = scores.max() ?? 0; scored.patchMap = scores
            return scored
        }
        return result
    }
}
