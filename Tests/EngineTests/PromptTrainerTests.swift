@testable import Engine
import Foundation
import Testing

@Suite struct PromptTrainerTests {
    @Test(arguments: [false, true])
    func trainingLowersTheLoss(_ devPrompt: Bool) throws {
        let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip")
        let weights = try CLIPWeights.load(path: root.appendingPathComponent("tiny_gelu_f16/model.safetensors").path)
        let text = TextTransformer(weights)
        let E = weights.configuration.embedDimension
        // Stand-in V-V tokens of one normal shot: unit vectors around one direction.
        var random = SeededRandom(seed: 2)
        let direction = (0..<E).map { _ in random.normal() }
        let patches = (0..<16).map { _ in Vector.normalized(zip(direction, (0..<E).map { _ in random.normal() * 0.5 }).map { $0 + $1 }) }
        let learner = PromptLearner(className: "bottle", width: weights.configuration.text.width, seed: 111, anomalyPrompts: 2)
        var trainer = PromptTrainer(text: text, learner: learner, optimizer: SGD(learningRate: 0.1), loss: PromptADLoss(scale: 4.6))
        let deviation = devPrompt ? PromptADLoss.DeviationTerm(loss: DeviationLoss(), topK: TopKMIL(), reference: DeviationLoss().reference(seed: 0),
                                                                images: [(patches, false)]) : nil
        var losses: [Float] = []
        for epoch in 0..<20 { losses.append(try trainer.step(patches: patches, deviation: deviation, epoch: epoch, epochs: 20).loss) }
        #expect(losses.last! < losses.first! * 0.9, "losses \(losses)")
        #expect(trainer.learner.context != learner.context && trainer.learner.anomalyTokens != learner.anomalyTokens)
    }

    @Test func aJointStepEqualsSeparateSteps() throws {
        let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip")
        let weights = try CLIPWeights.load(path: root.appendingPathComponent("tiny_gelu_f16/model.safetensors").path)
        let text = TextTransformer(weights)
        let E = weights.configuration.embedDimension
        var random = SeededRandom(seed: 4)
        let patches = (0..<8).map { _ in Vector.normalized((0..<E).map { _ in random.normal() }) }
        let pooled = [Vector.normalized((0..<E).map { _ in random.normal() })]
        func trainer(_ seed: UInt64, _ name: String) -> PromptTrainer {
            PromptTrainer(text: text, learner: PromptLearner(className: name, width: weights.configuration.text.width, seed: seed, anomalyPrompts: 2),
                          optimizer: SGD(learningRate: 0.1), loss: PromptADLoss(scale: 4.6))
        }
        var a = trainer(1, "bottle"), b = trainer(2, "screw")
        var joint = [trainer(1, "bottle"), trainer(2, "screw")]
        for epoch in 0..<3 {
            let separate = [try a.step(patches: patches, epoch: epoch, epochs: 3).loss, try b.step(patches: pooled, epoch: epoch, epochs: 3).loss]
            let together = try PromptTrainer.step(&joint, patches: [patches, pooled], deviations: [nil, nil], epoch: epoch, epochs: 3).map(\.loss)
            #expect(zip(separate, together).allSatisfy { abs($0 - $1) < 1e-5 }, "\(separate) vs \(together)")
        }
        let difference = zip(a.learner.context.flatMap { $0 } + b.learner.anomalyTokens.flatMap { $0 },
                             joint[0].learner.context.flatMap { $0 } + joint[1].learner.anomalyTokens.flatMap { $0 }).map { abs($0 - $1) }.max()!
        #expect(difference < 1e-5)
    }
}
