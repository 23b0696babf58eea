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
    let make: ([PromptTrainer], [Float]) throws -> FittedDetector
    /// The segmentation loss before each epoch's update.
    public private(set) var losses: [Float] = []

    init(trainers: [PromptTrainer], patches: [[[Float]]], deviations: [PromptADLoss.DeviationTerm?], epochs: Int,
         classificationIdentity: String, make: @escaping ([PromptTrainer], [Float]) throws -> FittedDetector) {
        self.trainers = trainers; self.patches = patches; self.deviations = deviations; self.epochs = epochs
        self.classificationIdentity = classificationIdentity; self.make = make
    }

    public func finish() throws -> FittedDetector { try make(trainers, losses) }

    /// Runs every training to the end, those with the same number of epochs stepping together, in batches
    /// whose taped text passes fit in `memoryBudget` bytes.
    public static func run(_ trainings: inout [PromptTraining], memoryBudget: Double = 2e9) throws {
        for epochs in Set(trainings.map(\.epochs)).sorted() {
            let members = trainings.indices.filter { trainings[$0].epochs == epochs }
            let first = trainings[members[0]].trainers[0], text = first.text.configuration.text
            // A taped prompt keeps about a dozen (context x width) buffers per layer.
            let bytesPerPrompt = Double(text.contextLength * text.width * text.layers) * 12 * 4
            let promptsPerTraining = Double(first.learner.prompts(tokenizer: first.tokenizer, contextLength: text.contextLength).count * 2)
            let perBatch = max(1, Int(memoryBudget / (bytesPerPrompt * promptsPerTraining)))
            for start in stride(from: 0, to: members.count, by: perBatch) {
                try runTogether(&trainings, Array(members[start..<min(members.count, start + perBatch)]), epochs: epochs)
            }
        }
    }

    /// One batch: the segmentation learners all, the classification learners once per identity.
    static func runTogether(_ trainings: inout [PromptTraining], _ members: [Int], epochs: Int) throws {
        var learners: [PromptTrainer] = [], patches: [[[Float]]] = [], deviations: [PromptADLoss.DeviationTerm?] = []
        var segmentation: [Int] = [], classification: [Int] = [], shared: [String: Int] = [:]
        for m in members {
            let t = trainings[m]
            segmentation.append(learners.count)
            learners.append(t.trainers[0]); patches.append(t.patches[0]); deviations.append(t.deviations[0])
            if let index = shared[t.classificationIdentity] {
                classification.append(index)
            } else {
                shared[t.classificationIdentity] = learners.count
                classification.append(learners.count)
                learners.append(t.trainers[1]); patches.append(t.patches[1]); deviations.append(t.deviations[1])
            }
        }
        let progress = ProgressTracker(members.count > 1 ? "training prompts, \(members.count) experiments together (epochs)" : "training prompts (epochs)",
                                       total: epochs)
        var losses = [[Float]](repeating: [], count: members.count)
        for epoch in 0..<epochs {
            let results = try PromptTrainer.step(&learners, patches: patches, deviations: deviations, epoch: epoch, epochs: epochs)
            for (k, index) in segmentation.enumerated() { losses[k].append(results[index].loss) }
            progress.step()
        }
        for (k, m) in members.enumerated() {
            trainings[m].trainers = [learners[segmentation[k]], learners[classification[k]]]
            trainings[m].losses = losses[k]
        }
    }
}
