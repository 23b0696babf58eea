// PromptAD's optimiser: SGD with momentum and weight decay, as torch.optim.SGD (dampening 0,
// no Nesterov), and cosine annealing of the learning rate as torch's CosineAnnealingLR.
import Foundation

public struct SGD: Sendable {
    public var learningRate: Float
    public var momentum: Float
    public var weightDecay: Float
    private var velocity: [[Float]] = []

    /// PromptAD's settings: lr 0.002, momentum 0.9, weight decay 5e-4.
    public init(learningRate: Float = 0.002, momentum: Float = 0.9, weightDecay: Float = 5e-4) {
        self.learningRate = learningRate; self.momentum = momentum; self.weightDecay = weightDecay
    }

    /// One step over parameter vectors and their gradients: g += wd p; v = m v + g (v = g at first); p -= lr v.
    public mutating func step(_ parameters: inout [[Float]], gradients: [[Float]]) {
        precondition(parameters.count == gradients.count, "SGD: \(parameters.count) parameters, \(gradients.count) gradients")
        let first = velocity.isEmpty
        if first { velocity = parameters.map { [Float](repeating: 0, count: $0.count) } }
        for i in parameters.indices {
            for j in parameters[i].indices {
                let g = gradients[i][j] + weightDecay * parameters[i][j]
                velocity[i][j] = first ? g : momentum * velocity[i][j] + g
                parameters[i][j] -= learningRate * velocity[i][j]
            }
        }
    }
}

public enum CosineSchedule {
    /// The learning rate at `epoch` (0-based) of `epochs`: min + (base - min)(1 + cos(pi epoch / epochs)) / 2.
    public static func rate(base: Float, minimum: Float = 1e-5, epoch: Int, epochs: Int) -> Float {
        minimum + (base - minimum) * (1 + cosf(Float.pi * Float(epoch) / Float(max(epochs, 1)))) / 2
    }
}
