@testable import Engine
import Foundation
import Testing

@Suite struct PromptLearnerTests {
    @Test func promptsFollowPromptAD() {
        let learner = PromptLearner(className: "metal_nut", width: 8, seed: 1)
        let prompts = learner.prompts(tokenizer: .shared, contextLength: 77)
        #expect(prompts.count == 1 + PromptLearner.genericStates.count + 4)
        #expect(prompts[0].kind == .normal && prompts.last!.kind == .learnedAnomaly(3))
        // Normal: sot, 4 context vectors, "metal nut .", eot.
        let normal = prompts[0].prompt
        #expect(normal.tokens == [49406] + Tokenizer.shared.encode("x x x x metal nut.") + [49407])
        #expect(Set(normal.replacements.keys) == [1, 2, 3, 4] && normal.replacements[2] == learner.context[1])
        // Learned anomaly: the anomaly token right after the context, before the class ([choice] as PromptAD's code).
        let learned = prompts.last!.prompt
        #expect(learned.replacements[5] == learner.anomalyTokens[3] && Set(learned.replacements.keys) == [1, 2, 3, 4, 5])
        let after = PromptLearner(className: "metal_nut", width: 8, seed: 1, anomalyTokenBeforeClass: false)
        let afterPrompt = after.prompts(tokenizer: .shared, contextLength: 77).last!.prompt
        #expect(afterPrompt.replacements[7] == after.anomalyTokens[3], "after 'metal nut' (two tokens)")
        #expect(PromptLearner.promptName("pcb3") == "printed circuit board" && PromptLearner.promptName("chewinggum") == "chewing gum")
    }

    @Test func initialisationIsSmallAndSeeded() {
        let a = PromptLearner(className: "bottle", width: 640, seed: 111), b = PromptLearner(className: "bottle", width: 640, seed: 111)
        #expect(a.context == b.context)
        let values = a.context.flatMap { $0 }
        let std = (values.reduce(0) { $0 + $1 * $1 } / Float(values.count)).squareRoot()
        #expect(abs(std - 0.02) < 0.002)
    }

    @Test func gradientsGatherIntoTheSharedVectors() {
        let learner = PromptLearner(className: "wood", width: 2, seed: 1, anomalyPrompts: 1)
        let prompts = learner.prompts(tokenizer: .shared, contextLength: 77)
        let perPrompt: [[Int: [Float]]] = prompts.map { item in
            Dictionary(uniqueKeysWithValues: item.prompt.replacements.keys.map { ($0, [Float(1), Float($0)]) })
        }
        let (dContext, dAnomaly) = learner.gradients(prompts: prompts, positionGradients: perPrompt)
        #expect(dContext[0] == [Float(prompts.count), Float(prompts.count)], "position 1 in every prompt")
        #expect(dAnomaly[0] == [1, 5])
    }
}

@Suite struct ContextInitTests {
    @Test func wordsStartTheContextAsAPhotoOfA() throws {
        let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip")
        let weights = try CLIPWeights.load(path: root.appendingPathComponent("tiny_gelu_f16/model.safetensors").path)
        let model = CLIPModel(weights: weights)
        let words = FewShotDetector.contextWords(model, count: 4)
        let ids = Tokenizer.shared.encode("a photo of a")
        #expect(words.count == 4 && words[0] == words[3] && words[0] != words[1])
        #expect(words[1] == model.text.embedding(of: ids[1]))
        let learner = PromptLearner(className: "bottle", width: weights.configuration.text.width, seed: 1, contextWords: words)
        let random = PromptLearner(className: "bottle", width: weights.configuration.text.width, seed: 1)
        #expect(learner.context == words && random.context != words)
        #expect(learner.anomalyTokens == random.anomalyTokens, "the anomaly tokens draw from the same seed either way")
    }
}
