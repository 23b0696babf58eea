@testable import Engine
import Foundation
import Testing

/// The runner end to end on the tiny golden-fixture model and one small synthetic class.
@Suite struct ExperimentTests {
    let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("experiment-\(UUID().uuidString)")
    var dataRoot: String { scratch.appendingPathComponent("data").path }

    func setUp() throws -> ExperimentModel {
        try SyntheticBenchmark(seed: 3, size: 64).write(to: dataRoot, products: [.bottle])
        let weights = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip/tiny_gelu_f16/model.safetensors").path
        return try ExperimentModel(clip: try CLIPModel(path: weights), name: "tiny_gelu_f16",
                                   cache: FeatureCache(directory: scratch.appendingPathComponent("features")))
    }

    func configuration(_ method: DetectionMethod) -> ExperimentConfiguration {
        var c = ExperimentConfiguration(dataset: .synthetic, className: "bottle")
        c.method = method; c.epochs = 3; c.evaluationSize = 64; c.learnedPrompts = 2; c.anomaliesPerShot = 2
        // DevPrompt's richer readings (CutPaste y = 1 images, the deviation map), so their paths are exercised.
        c.anomalies = .cutpaste; c.inferenceMap = .deviation
        return c
    }

    @Test func everyMethodScoresTheTestSetAndTheBackboneSeesEachImageOnce() throws {
        let model = try setUp()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = ExperimentStore(directory: scratch.appendingPathComponent("experiments"))
        var misses: [DetectionMethod: Int] = [:]
        for method in DetectionMethod.allCases {
            let (result, memoised) = try Experiment(configuration(method), dataRoot: dataRoot).run(model: model, store: store)
            #expect(!memoised)
            #expect(result.images.count == 55 && result.defectiveCount == 35 && result.normalCount == 20)
            #expect(result.images.allSatisfy { $0.patchMap.count == 16 && $0.patchMap.allSatisfy(\.isFinite) })
            let m = result.metrics
            for value in [m.imageAUROC, m.pixelAUROC, m.aupro, m.f1max, m.pixelF1max] { #expect((0...1).contains(value), "\(method): \(m)") }
            #expect(m.imageAUROCInterval[0] <= m.imageAUROC && m.imageAUROC <= m.imageAUROCInterval[1])
            #expect(result.losses.count == (method.learnsPrompts ? 3 : 0))
            #expect(result.images.first { $0.isDefective }!.mask!.hasPrefix("bottle/ground_truth/"))
            misses[method] = result.cacheMisses
        }
        // memory runs first: it encodes the shot and 55 test images; the others only DevPrompt's 2 CutPaste anomalies.
        // WinCLIP's window features are computed once per image: the test images by WinCLIP, then only the shot by WinCLIP+.
        #expect(misses[.memory] == 56 && misses[.promptad] == 0 && misses[.devprompt] == 2, "\(misses)")
        #expect(misses[.winclip] == 55 && misses[.winclipPlus] == 1, "\(misses)")
    }

    /// Experiments run together (their prompt learners in one batch through the text tower, shared
    /// classification learners) give what each gives alone, up to the rounding of larger products.
    @Test func experimentsRunTogetherGiveWhatEachGivesAlone() throws {
        let model = try setUp()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var lower = configuration(.devprompt), draw = configuration(.devprompt)
        lower.lambda = 0.1
        draw.seed = 112; draw.promptADShots = false
        var textMap = configuration(.devprompt)
        textMap.inferenceMap = .text
        let configurations = [configuration(.devprompt), lower, configuration(.promptad), draw, configuration(.memory), textMap]
        let store = ExperimentStore(directory: scratch.appendingPathComponent("together"))
        // The plan is posted before anything runs; this test's lines are told apart by their count.
        let lines = NSLock()
        nonisolated(unsafe) var posted: [String] = []
        let previous = Notice.sink
        Notice.sink = { text in lines.lock(); posted.append(text); lines.unlock(); previous?(text) }
        defer { Notice.sink = previous }
        let together = try Experiment.runAll(configurations.map { Experiment($0, dataRoot: dataRoot) }, model: model, store: store)
        #expect(together.allSatisfy { !$0.memoised })
        // 5 learning experiments: 4 segmentation learners (the text map shares DevPrompt's) and 2 classification learners (seeds 111, 112);
        // the shots are encoded while the plan is made, the 55 test images not yet.
        let first = posted.first { $0.hasPrefix("6 experiments:") }
        #expect(first?.hasPrefix("6 experiments: 0 memoised, 6 to run (6 prompt learners in 1 batch, 330 test images to score, 55 to encode)") == true, "\(posted)")
        #expect(first?.contains("no estimate yet") == true, "the first run on a model has no measured costs")
        for (c, joint) in zip(configurations, together) {
            let alone = try Experiment(c, dataRoot: dataRoot).run(model: model).result
            #expect(joint.result.configuration == c)
            let scores = zip(joint.result.images, alone.images).map { abs($0.score - $1.score) }.max() ?? 0
            let maps = zip(joint.result.images, alone.images).flatMap { zip($0.patchMap, $1.patchMap).map { abs($0 - $1) } }.max() ?? 0
            #expect(scores <= 1e-5 && maps <= 1e-5, "\(c.summary): scores differ by up to \(scores), maps by \(maps); losses \(joint.result.losses) vs \(alone.losses)")
            #expect(zip(joint.result.losses, alone.losses).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }, "\(c.summary)")
        }
        // PromptAD and DevPrompt at the same seed share one classification learner: equal image scores.
        #expect(together[0].result.images.map(\.score) == together[2].result.images.map(\.score))
        // DevPrompt's two inference maps share one segmentation learner: the same losses, other maps.
        #expect(together[5].result.losses == together[0].result.losses)
        #expect(together[5].result.images.map(\.patchMap) != together[0].result.images.map(\.patchMap))
        // Run again: every one from the memo.
        #expect(try Experiment.runAll(configurations.map { Experiment($0, dataRoot: dataRoot) }, model: model, store: store).allSatisfy(\.memoised))
        #expect(posted.contains("6 experiments: 6 memoised, 0 to run"), "\(posted)")
        // A new setting after a measured run: its classification learner is recalled, and the plan carries an estimate from the measured unit costs.
        var margin = configuration(.devprompt)
        margin.margin = 3
        _ = try Experiment.runAll((configurations + [margin]).map { Experiment($0, dataRoot: dataRoot) }, model: model, store: store)
        #expect(posted.contains { $0.hasPrefix("7 experiments: 6 memoised, 1 to run (1 prompt learner in 1 batch, 55 test images to score, 0 to encode); about ") }, "\(posted)")
        // The text map of a setting trained before: both its learners come from the learner store, none trains.
        var lowerText = lower
        lowerText.inferenceMap = .text
        let recalled = try Experiment.runAll([lowerText, margin].map { Experiment($0, dataRoot: dataRoot) }, model: model, store: store)
        #expect(posted.contains { $0.hasPrefix("2 experiments: 1 memoised, 1 to run (0 prompt learners in 0 batches") }, "\(posted)")
        #expect(recalled[0].result.losses == together[1].result.losses)
        let alone = try Experiment(lowerText, dataRoot: dataRoot).run(model: model).result
        #expect(zip(recalled[0].result.images, alone.images).allSatisfy { zip($0.patchMap, $1.patchMap).allSatisfy { abs($0 - $1) <= 1e-5 } })
    }

    @Test func aFinishedExperimentIsMemoisedByItsWholeConfiguration() throws {
        let model = try setUp()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = ExperimentStore(directory: scratch.appendingPathComponent("experiments"))
        let first = try Experiment(configuration(.devprompt), dataRoot: dataRoot).run(model: model, store: store)
        let again = try Experiment(configuration(.devprompt), dataRoot: dataRoot).run(model: model, store: store)
        #expect(!first.memoised && again.memoised && again.result.metrics == first.result.metrics)
        var other = configuration(.devprompt)
        other.lambda = 0.5
        let changed = try Experiment(other, dataRoot: dataRoot).run(model: model, store: store)
        #expect(!changed.memoised && changed.result.cacheMisses == 0)
        // New code is a new key; a damaged entry is dropped and the experiment runs again.
        #expect(try !Experiment(configuration(.devprompt), dataRoot: dataRoot).run(model: model, store: store, code: "other").memoised)
        let files = try FileManager.default.contentsOfDirectory(at: store.directory, includingPropertiesForKeys: nil)
        for file in files { try Data("{".utf8).write(to: file) }
        #expect(try !Experiment(configuration(.devprompt), dataRoot: dataRoot).run(model: model, store: store).memoised)
    }

    @Test func aSameSizeEditWithItsDateSetBackIsANewExperiment() throws {
        let model = try setUp()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let store = ExperimentStore(directory: scratch.appendingPathComponent("experiments"))
        _ = try Experiment(configuration(.memory), dataRoot: dataRoot).run(model: model, store: store)
        // As `cp -p` or `rsync -a` of an edit would leave it: one byte changed, the same size, the old modification date.
        let path = dataRoot + "/bottle/test/good/000.png"
        let date = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0x55
        try bytes.write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: path)
        // Not served from the memo: the run starts again and meets the damaged file.
        #expect(throws: ImageError.self) { _ = try Experiment(configuration(.memory), dataRoot: dataRoot).run(model: model, store: store) }
    }

    /// A group of trainings sharing a classification learner that a batch cannot hold is split, and the shared
    /// learner still trains once: later batches take it rather than training it again.
    @Test func aSplitGroupTrainsItsSharedLearnerOnce() throws {
        let model = try setUp()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let split = try AnomalyDataset(kind: .synthetic, root: dataRoot).load("bottle")
        var trainings: [PromptTraining] = []
        for lambda: Float in [1, 0.1, 0.01] {
            var c = configuration(.devprompt)
            c.lambda = lambda
            guard case .training(let t) = try ExperimentRun(experiment: Experiment(c, dataRoot: dataRoot), model: model, split: split).prepare().preparation else {
                Issue.record("DevPrompt has prompts to train"); return
            }
            trainings.append(t)
        }
        let batches = PromptTraining.batches(trainings, learnersPerBatch: 2)
        #expect(batches.count == 2 && batches.reduce(0) { $0 + $1.learners } == 4, "3 segmentation learners and 1 classification learner: \(batches)")
        try PromptTraining.run(&trainings, batches: batches)
        let classification = trainings.map { $0.trainers[1].learner.context }
        #expect(classification.allSatisfy { $0 == classification[0] }, "one classification learner for all three")
        #expect(trainings.allSatisfy { !$0.trained.contains(false) })
    }

    @Test func theSameSeedRepeatsTheRunExactly() throws {
        let model = try setUp()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let a = try Experiment(configuration(.devprompt), dataRoot: dataRoot).run(model: model).result
        let b = try Experiment(configuration(.devprompt), dataRoot: dataRoot).run(model: model).result
        #expect(a.images.map(\.score) == b.images.map(\.score) && a.losses == b.losses)
        #expect(b.cacheHits == 58 && b.cacheMisses == 0)
    }

    @Test func aMissingClassIsAnErrorNamingTheRoot() throws {
        let model = try setUp()
        defer { try? FileManager.default.removeItem(at: scratch) }
        var c = configuration(.memory)
        c.className = "hazelnut"
        let error = #expect(throws: EngineError.self) { try Experiment(c, dataRoot: dataRoot).run(model: model) }
        #expect(error?.description.contains("class 'hazelnut' is not in \(URL(fileURLWithPath: dataRoot).standardizedFileURL.path)") == true,
                "\(String(describing: error))")
    }
}

@Suite struct DevPromptPartsTests {
    @Test func deviationMapRanksAsTheDeviationAndIsOneHalfAtTheMargin() {
        let anomaly = Vector.normalized([1, 0, 0])
        let patches = [[1, 0, 0], [0.5, 0.5, 0], [0, 1, 0], [-1, 0, 0]].map { Vector.normalized($0.map(Float.init)) }
        let d = DeviationMap.deviations(patches: patches, anomaly: anomaly, scale: 5, reference: (0, 1))
        let m = DeviationMap.map(patches: patches, anomaly: anomaly, scale: 5, reference: (0, 1), margin: 5)
        #expect(abs(d[0] - 5) < 1e-6 && abs(m[0] - 0.5) < 1e-6)
        #expect(abs(d[3] - 5) < 1e-6, "the deviation is two-sided: |s - mu| / sigma")
        #expect(m[2] == 0 && m[1] > 0 && m[1] < m[0])
    }

    @Test func cutPasteChangesOnlyTheMaskedRectangleAndRepeatsFromItsSeed() {
        var random = SeededRandom(seed: 9)
        let image = Image(width: 40, height: 30, channels: 3, pixels: (0..<3600).map { _ in random.uniform() })
        let samples = CutPaste.synthesize(image, count: 5, seed: 1)
        #expect(samples.count == 5)
        for sample in samples {
            let area = sample.mask.reduce(0, +) / Float(40 * 30)
            #expect(area > 0.005 && area < 0.2, "area \(area)")
            var changedOutside = false
            for p in 0..<(40 * 30) where sample.mask[p] == 0 {
                for c in 0..<3 where sample.image.pixels[p * 3 + c] != image.pixels[p * 3 + c] { changedOutside = true }
            }
            #expect(!changedOutside)
            #expect(sample.image != image)
        }
        #expect(CutPaste.synthesize(image, count: 5, seed: 1).map(\.mask) == samples.map(\.mask))
    }
}
