// One prompt-learning step, PromptAD's or DevPrompt's: prompts through the text tower (taped),
// the loss on the shots' patch tokens, gradients back to the context vectors and anomaly tokens,
// an SGD step. The frozen image features are inputs: they are computed once, never per step.
import Foundation

public struct PromptTrainer {
    public let text: TextTransformer
    public let tokenizer: Tokenizer
    public var learner: PromptLearner
    public var optimizer: SGD
    public var loss: PromptADLoss
    public let baseLearningRate: Float

    public init(text: TextTransformer, tokenizer: Tokenizer = .shared, learner: PromptLearner, optimizer: SGD = SGD(), loss: PromptADLoss) {
        self.text = text; self.tokenizer = tokenizer; self.learner = learner; self.optimizer = optimizer
        self.loss = loss; baseLearningRate = optimizer.learningRate
    }

    /// `patches`: the shots' unit V-V patch tokens (P, E). Returns the loss before the update.
    @discardableResult
    public mutating func step(patches: [[Float]], deviation: PromptADLoss.DeviationTerm? = nil, epoch: Int, epochs: Int) throws -> PromptADLoss.Result {
        var trainers = [self]
        let result = try Self.step(&trainers, patches: [patches], deviations: [deviation], epoch: epoch, epochs: epochs)[0]
        self = trainers[0]
        return result
    }

    /// One step of several learners on the same text tower, their prompts in one batch through it
    /// (larger matrix products run nearer the machine's peak). Each learner's update is its own.
    @discardableResult
    public static func step(_ trainers: inout [PromptTrainer], patches: [[[Float]]], deviations: [PromptADLoss.DeviationTerm?],
                            epoch: Int, epochs: Int) throws -> [PromptADLoss.Result] {
        precondition(trainers.count == patches.count && trainers.count == deviations.count, "PromptTrainer.step: one input per trainer")
        guard let text = trainers.first?.text else { return [] }
        precondition(trainers.allSatisfy { $0.text === text }, "PromptTrainer.step: trainers share one text tower")
        let prompts = trainers.enumerated().map { t, trainer in
            trainer.learner.prompts(tokenizer: trainer.tokenizer, contextLength: text.configuration.text.contextLength)
                .map { item -> (kind: PromptLearner.Kind, prompt: TextTransformer.Prompt) in var p = item.prompt; p.group = t; return (item.kind, p) }
        }
        let (features, tape) = try text.forwardTaped(prompts.flatMap { $0.map(\.prompt) })
        // Each learner's loss is its own: they run on the cores side by side.
        var offsets = [0]
        for p in prompts { offsets.append(offsets.last! + p.count) }
        let snapshot = trainers
        let results = Parallel.map(Array(trainers.indices)) { t -> PromptADLoss.Result in
            var normal: [[Float]] = [], manual: [[Float]] = [], learned: [[Float]] = []
            for ((kind, _), feature) in zip(prompts[t], features[offsets[t]..<offsets[t + 1]]) {
                switch kind {
                case .normal: normal.append(feature)
                case .manualAnomaly: manual.append(feature)
                case .learnedAnomaly: learned.append(feature)
                }
            }
            return snapshot[t].loss.compute(patches: patches[t], normal: normal, manual: manual, learned: learned, deviation: deviations[t])
        }
        // Feature gradients back in prompt order.
        var featureGradients: [[Float]] = []
        for t in trainers.indices {
            let result = results[t]
            var n = 0, m = 0, l = 0
            featureGradients += prompts[t].map { item in
                switch item.kind {
                case .normal: defer { n += 1 }; return result.dNormal[n]
                case .manualAnomaly: defer { m += 1 }; return result.dManual[m]
                case .learnedAnomaly: defer { l += 1 }; return result.dLearned[l]
                }
            }
        }
        let positionGradients = text.backward(tape, featureGradients: featureGradients)
        for t in trainers.indices {
            let (dContext, dAnomaly) = trainers[t].learner.gradients(prompts: prompts[t], positionGradients: Array(positionGradients[offsets[t]..<offsets[t + 1]]))
            trainers[t].optimizer.learningRate = CosineSchedule.rate(base: trainers[t].baseLearningRate, epoch: epoch, epochs: epochs)
            var parameters = trainers[t].learner.context + trainers[t].learner.anomalyTokens
            trainers[t].optimizer.step(&parameters, gradients: dContext + dAnomaly)
            trainers[t].learner.context = Array(parameters[0..<trainers[t].learner.context.count])
            trainers[t].learner.anomalyTokens = Array(parameters[trainers[t].learner.context.count...])
        }
        return results
    }
}
