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
        let prompts = learner.prompts(tokenizer: tokenizer, contextLength: text.configuration.text.contextLength)
        let (features, tape) = try text.forwardTaped(prompts.map(\.prompt))
        var normal: [[Float]] = [], manual: [[Float]] = [], learned: [[Float]] = []
        for ((kind, _), feature) in zip(prompts, features) {
            switch kind {
            case .normal: normal.append(feature)
            case .manualAnomaly: manual.append(feature)
            case .learnedAnomaly: learned.append(feature)
            }
        }
        let result = loss.compute(patches: patches, normal: normal, manual: manual, learned: learned, deviation: deviation)
        // Feature gradients back in prompt order.
        var n = 0, m = 0, l = 0
        let featureGradients: [[Float]] = prompts.map { item in
            switch item.kind {
            case .normal: defer { n += 1 }; return result.dNormal[n]
            case .manualAnomaly: defer { m += 1 }; return result.dManual[m]
            case .learnedAnomaly: defer { l += 1 }; return result.dLearned[l]
            }
        }
        let positionGradients = text.backward(tape, featureGradients: featureGradients)
        let (dContext, dAnomaly) = learner.gradients(prompts: prompts, positionGradients: positionGradients)
        optimizer.learningRate = CosineSchedule.rate(base: baseLearningRate, epoch: epoch, epochs: epochs)
        var parameters = learner.context + learner.anomalyTokens
        optimizer.step(&parameters, gradients: dContext + dAnomaly)
        learner.context = Array(parameters[0..<learner.context.count])
        learner.anomalyTokens = Array(parameters[learner.context.count...])
        return result
    }
}
