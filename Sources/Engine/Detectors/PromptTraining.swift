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
    /// [segmentation, classification]: trained already (recalled from a `LearnerStore` or by an earlier batch).
    var trained = [false, false]

    /// The identity of learner `which` (0 segmentation, 1 classification), shared by trainings that would train the same one.
    func identity(_ which: Int) -> String { which == 0 ? "s" + segmentationIdentity : "c" + classificationIdentity }

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
    /// grid`), fewer where the taped text passes would pass `memoryBudget` bytes (a large text tower), and the
    /// trainings that share a classification learner in one batch whenever the group fits in one.
    public static func batches(_ trainings: [PromptTraining], learnersPerBatch: Int = 16, memoryBudget: Double = 2e9) -> [Batch] {
        var out: [Batch] = []
        guard let first = trainings.first?.trainers[0] else { return out }
        // A taped prompt keeps about a dozen (context x width) buffers per layer.
        let text = first.text.configuration.text
        let bytesPerLearner = Double(text.contextLength * text.width * text.layers * 12 * 4)
            * Double(first.learner.prompts(tokenizer: first.tokenizer, contextLength: text.contextLength).count)
        let cap = max(1, min(learnersPerBatch, Int(memoryBudget / bytesPerLearner)))
        for epochs in Set(trainings.map(\.epochs)).sorted() {
            let members = trainings.indices.filter { trainings[$0].epochs == epochs && trainings[$0].trained.contains(false) }
            var groups: [String: [Int]] = [:], order: [String] = []
            for m in members {
                let identity = trainings[m].classificationIdentity
                if groups[identity] == nil { order.append(identity) }
                groups[identity, default: []].append(m)
            }
            // Whole groups fill a batch (each adds its segmentation learners and one classification learner): a group that
            // does not fit starts a new batch; only a group larger than a batch is split (its learners then reach the
            // rest of the group through `run`, which hands every trained learner to all trainings of its identity).
            // `assigned`: learners an earlier batch trains (the trainings here then take them, not train them).
            var batch: [Int] = [], identities: Set<String> = [], assigned: Set<String> = []
            func learners(_ ms: [Int]) -> Set<String> {
                Set(ms.flatMap { m in (0...1).filter { !trainings[m].trained[$0] }.map { trainings[m].identity($0) } }).subtracting(assigned)
            }
            for identity in order {
                let group = groups[identity]!
                if !batch.isEmpty && identities.union(learners(group)).count > cap {
                    out.append(Batch(members: batch, epochs: epochs, learners: identities.count))
                    assigned.formUnion(identities); batch = []; identities = []
                }
                for m in group {
                    if !batch.isEmpty && identities.union(learners([m])).count > cap {
                        out.append(Batch(members: batch, epochs: epochs, learners: identities.count))
                        assigned.formUnion(identities); batch = []; identities = []
                    }
                    identities.formUnion(learners([m]))
                    batch.append(m)
                }
            }
            if !batch.isEmpty { out.append(Batch(members: batch, epochs: epochs, learners: identities.count)) }
        }
        return out
    }

    /// Takes every learner `store` holds instead of training it.
    public static func recall(_ trainings: inout [PromptTraining], from store: LearnerStore?) {
        guard let store else { return }
        var found: [String: LearnerStore.Saved?] = [:]
        for t in trainings.indices {
            for which in 0...1 where !trainings[t].trained[which] {
                let identity = trainings[t].identity(which)
                if found[identity] == nil { found[identity] = store.load(identity) }
                guard let saved = found[identity]!, saved.context.count == trainings[t].trainers[which].learner.context.count,
                      saved.anomalyTokens.count == trainings[t].trainers[which].learner.anomalyTokens.count else { continue }
                trainings[t].take(saved, which)
            }
        }
    }

    /// Learner `which` as `saved` holds it, trained.
    mutating func take(_ saved: LearnerStore.Saved, _ which: Int) {
        trainers[which].learner.context = saved.context
        trainers[which].learner.anomalyTokens = saved.anomalyTokens
        if which == 0 { losses = saved.losses }
        trained[which] = true
    }

    /// Runs every training to the end, batch by batch (`batches`), with one progress line over all their epochs;
    /// each learner trained is kept in `store`.
    public static func run(_ trainings: inout [PromptTraining], batches: [Batch]? = nil, store: LearnerStore? = nil) throws {
        let batches = batches ?? Self.batches(trainings)
        guard !batches.isEmpty else { return }
        let learners = batches.reduce(0) { $0 + $1.learners }
        let progress = ProgressTracker(batches.count > 1 || batches[0].members.count > 1
                                       ? "training prompts: \(learners) learners in \(batches.count) batches (epochs)"
                                       : "training prompts (epochs)", total: batches.reduce(0) { $0 + $1.epochs })
        for batch in batches {
            let trainedNow = try runTogether(&trainings, batch.members, epochs: batch.epochs, progress: progress)
            for (identity, trainer, losses) in trainedNow {
                let saved = LearnerStore.Saved(context: trainer.learner.context, anomalyTokens: trainer.learner.anomalyTokens, losses: losses)
                try store?.store(saved, identity: identity)
                // Trainings of the same learner in later batches take it, rather than training it again.
                for t in trainings.indices {
                    for which in 0...1 where !trainings[t].trained[which] && trainings[t].identity(which) == identity {
                        trainings[t].take(saved, which)
                    }
                }
            }
        }
    }

    /// One batch: each distinct learner not yet trained once. Returns the learners it trained, with their losses.
    static func runTogether(_ trainings: inout [PromptTraining], _ members: [Int], epochs: Int, progress: ProgressTracker) throws
        -> [(identity: String, trainer: PromptTrainer, losses: [Float])] {
        var learners: [PromptTrainer] = [], patches: [[[Float]]] = [], deviations: [PromptADLoss.DeviationTerm?] = []
        var identities: [String] = [], index: [String: Int] = [:]
        for m in members {
            let t = trainings[m]
            for which in 0...1 where !t.trained[which] && index[t.identity(which)] == nil {
                index[t.identity(which)] = learners.count
                identities.append(t.identity(which))
                learners.append(t.trainers[which]); patches.append(t.patches[which]); deviations.append(t.deviations[which])
            }
        }
        var losses = [[Float]](repeating: [], count: learners.count)
        for epoch in 0..<epochs {
            let results = try PromptTrainer.step(&learners, patches: patches, deviations: deviations, epoch: epoch, epochs: epochs)
            for (k, result) in results.enumerated() { losses[k].append(result.loss) }
            progress.step()
        }
        for m in members {
            for which in 0...1 where !trainings[m].trained[which] {
                let k = index[trainings[m].identity(which)]!
                trainings[m].trainers[which] = learners[k]
                if which == 0 { trainings[m].losses = losses[k] }
                trainings[m].trained[which] = true
            }
        }
        return identities.indices.map { (identities[$0], learners[$0], losses[$0]) }
    }
}
