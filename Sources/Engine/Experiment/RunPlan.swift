// What a set of experiments will cost before it runs: how many come from the memo, how many run, and
// the time estimated from this model's unit costs as measured by the runs before (kept beside the memo).
import Foundation

public struct RunPlan: Sendable, Equatable {
    public var memoised: Int
    public var toRun: Int
    /// Distinct prompt learners to train, and their epochs summed.
    public var learners: Int
    public var learnerEpochs: Int
    /// Test images scored over the experiments that run, and images whose frozen features are not cached yet.
    public var scoredImages: Int
    public var imagesToEncode: Int
    /// nil until a run on this model has measured the unit costs.
    public var estimatedSeconds: Double?

    /// "540 experiments: 120 memoised, 420 to run (320 prompt learners in 24 batches, 23100 test images to score, 0 to encode); about 6.2 min"
    public func line(batches: Int) -> String {
        var text = "\(memoised + toRun) experiments: \(memoised) memoised, \(toRun) to run"
        if toRun > 0 {
            func count(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : (word.hasSuffix("h") ? "es" : "s"))" }
            text += " (\(count(learners, "prompt learner")) in \(count(batches, "batch")), \(scoredImages) test images to score, \(imagesToEncode) to encode)"
            text += estimatedSeconds.map { $0 < 90 ? String(format: "; about %.0f s", $0) : String(format: "; about %.1f min", $0 / 60) }
                ?? "; no estimate yet (this model's unit costs are measured by its first run)"
        }
        return text
    }
}

/// One model's measured unit costs: a learner's epoch, scoring one test image (map, metrics), encoding one image.
public struct UnitCosts: Codable, Sendable, Equatable {
    public var secondsPerLearnerEpoch: Double?
    public var secondsPerScoredImage: Double?
    public var secondsPerEncodedImage: Double?

    public func estimate(_ plan: RunPlan) -> Double? {
        guard let epoch = secondsPerLearnerEpoch ?? (plan.learnerEpochs == 0 ? 0 : nil),
              let scored = secondsPerScoredImage ?? (plan.scoredImages == 0 ? 0 : nil) else { return nil }
        return epoch * Double(plan.learnerEpochs) + scored * Double(plan.scoredImages) + (secondsPerEncodedImage ?? 0) * Double(plan.imagesToEncode)
    }

    /// Where a model's costs are kept: beside the memo, hidden from its listing.
    static func url(store: ExperimentStore, model: ExperimentModel) -> URL {
        store.directory.appendingPathComponent(".costs-\(model.identity).json")
    }

    static func load(store: ExperimentStore?, model: ExperimentModel) -> UnitCosts {
        guard let store, let data = try? Data(contentsOf: url(store: store, model: model)),
              let costs = try? JSONDecoder().decode(UnitCosts.self, from: data) else { return UnitCosts() }
        return costs
    }

    /// The latest measurement of each cost replaces the one before; a cost not measured this time is kept.
    func updated(with measured: UnitCosts) -> UnitCosts {
        UnitCosts(secondsPerLearnerEpoch: measured.secondsPerLearnerEpoch ?? secondsPerLearnerEpoch,
                  secondsPerScoredImage: measured.secondsPerScoredImage ?? secondsPerScoredImage,
                  secondsPerEncodedImage: measured.secondsPerEncodedImage ?? secondsPerEncodedImage)
    }

    func save(store: ExperimentStore?, model: ExperimentModel) {
        guard let store, let data = try? JSONEncoder().encode(self) else { return }
        try? FileManager.default.createDirectory(at: store.directory, withIntermediateDirectories: true)
        try? AtomicFile.write(data, to: Self.url(store: store, model: model))
    }
}
