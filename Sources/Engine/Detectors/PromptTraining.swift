// Prompt learning set up and not yet run: a detector's segmentation and classification learners with
// their inputs. Several trainings (the experiments of one class: settings, draws, methods) run together:
// each step sends all their prompts through the text tower as one batch, and experiments whose
// classification learners would be the same share one.
import Foundation

public struct PromptTraining {
    /// [segmentation, classification].
    public var trainers: [PromptTrainer]
    let patches: [[[Float]]]
    let deviations: [PromptADLoss.DeviationTerm?]
    public let epochs: Int
    /// Equal for trainings whose classification learners have the same inputs and settings.
    let classificationIdentity: String
    /// Equal for trainings whose segmentation learners would be the same (DevPrompt's two inference maps).
    let segmentationIdentity: String
    let make: ([PromptTrainer], [Float]) throws -> FittedDetector
    /// The segmentation loss before each epoch's update.
    public private(set) var losses: [Float] = []

    init(trainers: [PromptTrainer], patches: [[[Float]]], deviations: [PromptADLoss.DeviationTerm?], epochs: Int,
         classificationIdentity: String, segmentationIdentity: String, make: @escaping ([PromptTrainer], [Float]) throws -> FittedDetector) {
        self.trainers = trainers; self.patches = patches; self.deviations = deviations; self.epochs = epochs
        self.classificationIdentity = classificationIdentity; self.segmentationIdentity = segmentationIdentity; self.make = make
    }

    public func finish() throws -> FittedDetector { try make(trainers, losses) }

    /// A batch of trainings that step together: their indices, epochs and how many distinct learners they hold.
    public struct Batch: Sendable { public let members: [Int]; public let epochs: Int; public let learners: Int }

    /// The batches `run` steps through: those with the same number of epochs together, about `learnersPerBatch`
    /// learners each (a batch's activations then stay in cache: larger batches ran slower per learner, `report bench
    /// grid`), trainings that share a classification learner in one batch where they fit.
    public static func batches(_ trainings: [PromptTraining], learnersPerBatch: Int = 16) -> [Batch] {
        var out: [Batch] = []
        for epochs in Set(trainings.map(\.epochs)).sorted() {
            let members = trainings.indices.filter { trainings[$0].epochs == epochs }
            var groups: [String: [Int]] = [:], order: [String] = []
            for m in members {
                let identity = trainings[m].classificationIdentity
                if groups[identity] == nil { order.append(identity) }
                groups[identity, default: []].append(m)
            }
            // Whole groups fill a batch (each adds its segmentation learners and one classification learner); a larger group is split.
            var batch: [Int] = [], identities: Set<String> = []
            func cost(_ m: Int) -> Int {
                (identities.contains("s" + trainings[m].segmentationIdentity) ? 0 : 1) + (identities.contains("c" + trainings[m].classificationIdentity) ? 0 : 1)
            }
            for identity in order {
                for m in groups[identity]! {
                    if !batch.isEmpty && identities.count + cost(m) > learnersPerBatch {
                        out.append(Batch(members: batch, epochs: epochs, learners: identities.count))
                        batch = []; identities = []
                    }
                    identities.insert("s" + trainings[m].segmentationIdentity); identities.insert("c" + trainings[m].classificationIdentity)
                    batch.append(m)
                }
            }
            if !batch.isEmpty { out.append(Batch(members: batch, epochs: epochs, learners: identities.count)) }
        }
        return out
    }

    /// Runs every training to the end, batch by batch (`batches`), with one progress line over all their epochs.
    public static func run(_ trainings: inout [PromptTraining], batches: [Batch]? = nil) throws {
        let batches = batches ?? Self.batches(trainings)
        guard !batches.isEmpty else { return }
        let learners = batches.reduce(0) { $0 + $1.learners }
        let progress = ProgressTracker(batches.count > 1 || batches[0].members.count > 1
                                       ? "training prompts: \(trainings.count) experiments, \(learners) learners in \(batches.count) batches (epochs)"
                                       : "training prompts (epochs)", total: batches.reduce(0) { $0 + $1.epochs })
        for batch in batches { try runTogether(&trainings, batch.members, epochs: batch.epochs, progress: progress) }
    }

    /// One batch: each distinct segmentation and classification learner once.
    static func runTogether(_ trainings: inout [PromptTraining], _ members: [Int], epochs: Int, progress: ProgressTracker) throws {
        var learners: [PromptTrainer] = [], patches: [[[Float]]] = [], deviations: [PromptADLoss.DeviationTerm?] = []
        var segmentation: [Int] = [], classification: [Int] = [], shared: [String: Int] = [:]
        /// The learner of `identity`, added the first time it is asked for.
        func learner(_ identity: String, _ t: PromptTraining, _ which: Int) -> Int {
            if let index = shared[identity] { return index }
            shared[identity] = learners.count
            learners.append(t.trainers[which]); patches.append(t.patches[which]); deviations.append(t.deviations[which])
            return learners.count - 1
        }
        for m in members {
            let t = trainings[m]
            segmentation.append(learner("s" + t.segmentationIdentity, t, 0))
            classification.append(learner("c" + t.classificationIdentity, t, 1))
        }
        var losses = [[Float]](repeating: [], count: learners.count)
        for epoch in 0..<epochs {
            let results = try PromptTrainer.step(&learners, patches: patches, deviations: deviations, epoch: epoch, epochs: epochs)
            for (index, result) in results.enumerated() { losses[index].append(result.loss) }
            progress.step()
        }
        for (k, m) in members.enumerated() {
            trainings[m].trainers = [learners[segmentation[k]], learners[classification[k]]]
            trainings[m].losses = losses[segmentation[k]]
        }
    }
}
