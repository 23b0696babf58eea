@testable import Engine
import Foundation
import Testing

/// The pretraining gradients of every kind of parameter in both towers, against finite differences
/// of the loss on a tiny model and a small batch from the caption stream.
@Suite struct PretrainingGradientTests {
    static let configuration = CLIPInitializer.small(layers: 2, width: 64, embed: 16, imageSize: 32, patch: 8, contextLength: 16)

    func batch() -> PretrainingBatch {
        var stream = CaptionStream(seed: 4, size: 32, defectiveFraction: 0.7)
        return PretrainingBatch.make(&stream, count: 4, configuration: Self.configuration)
    }

    @Test(arguments: DenseTokens.allCases)
    func gradientsMatchFiniteDifferences(_ tokens: DenseTokens) throws {
        let parameters = CLIPParameters(initialising: Self.configuration, seed: 3)
        var trainer = Pretrainer(parameters: parameters, optimizer: AdamW(parameters))
        trainer.loss.denseTokens = tokens
        // Stronger text weights than at initialisation, so the losses' terms are not all flat.
        trainer.parameters[.logitScale] = [2.5]
        // Larger values than at initialisation, so the V-V softmax is peaked and its own gradient counts.
        let C = Self.configuration.vision.width
        for i in 0..<Self.configuration.vision.layers {
            for index in (2 * C * C)..<(3 * C * C) { trainer.parameters.values[.block(.vision, i, .inProjWeight)]![index] *= 4 }
        }
        let batch = batch()
        #expect(batch.coverage.contains { $0.contains { $0 >= 0.25 } }, "the batch has defective patches for the dense term")
        let (result, gradients) = trainer.lossAndGradients(batch)
        #expect(result.dense > 0 && result.contrastive > 0)
        let roles: [TensorRole] = [.patchEmbedding, .classEmbedding, .visionPositional, .lnPreWeight, .lnPostBias, .visionProjection,
                                   .block(.vision, 0, .inProjWeight), .block(.vision, 1, .fcBias), .block(.vision, 0, .ln1Weight),
                                   .block(.vision, 1, .outProjWeight), .block(.vision, 0, .outProjBias), .block(.vision, 0, .projWeight),
                                   .block(.text, 0, .inProjBias), .block(.text, 1, .fcWeight), .block(.text, 0, .ln2Bias),
                                   .textPositional, .lnFinalWeight, .textProjection, .logitScale]
        var random = SeededRandom(seed: 5)
        var worst: (Float, String) = (0, "")
        // Each role over all its entries, and the value rows of the in-projections (the V-V stream's only way in).
        let checks = roles.map { ($0, 0..<trainer.parameters[$0].count) }
            + (0..<2).map { (TensorRole.block(.vision, $0, .inProjWeight), (2 * C * C)..<(3 * C * C)) }
        for (role, range) in checks {
            let g = gradients[role]
            // The entries with the largest gradients, and one at random: each a clear signal above rounding.
            let largest = range.max { abs(g[$0]) < abs(g[$1]) }!
            for index in [largest, random.int(range)] {
                let h: Float = 3e-3
                var plus = trainer, minus = trainer
                plus.parameters.values[role]![index] += h
                minus.parameters.values[role]![index] -= h
                let numeric = (plus.lossAndGradients(batch).result.loss - minus.lossAndGradients(batch).result.loss) / (2 * h)
                // 1% of the value, above the finite difference's rounding floor (about 1e-4 in Float32).
                let error = abs(numeric - g[index]) / (2e-4 + 0.01 * max(abs(numeric), abs(g[index])))
                if error > worst.0 { worst = (error, "\(role)[\(index)]: analytic \(g[index]), numeric \(numeric)") }
            }
        }
        // Token embeddings: the rows the captions use.
        let token = batch.captions[0][2]
        let index = token * Self.configuration.text.width + 5
        var plus = trainer, minus = trainer
        plus.parameters.values[.tokenEmbedding]![index] += 3e-3
        minus.parameters.values[.tokenEmbedding]![index] -= 3e-3
        let numeric = (plus.lossAndGradients(batch).result.loss - minus.lossAndGradients(batch).result.loss) / 6e-3
        let analytic = gradients[.tokenEmbedding][index]
        #expect(abs(numeric - analytic) <= 0.03 * max(abs(numeric), 1e-3), "token embedding: analytic \(analytic), numeric \(numeric)")
        #expect(worst.0 <= 1, "worst: \(worst.1) (\(worst.0) of the tolerance)")
    }

    @Test func valueValueRowsAreTheInferenceTowersSurgeryTokens() throws {
        let parameters = CLIPParameters(initialising: Self.configuration, seed: 3)
        let images = batch().images
        let vision = VisionTransformer(parameters.weights(label: "test"))
        let (rows, valueValueRows, _) = vision.forwardTaped(images, valueValue: true)
        let outputs = try vision.forward(images, surgery: true)
        let T = Self.configuration.vision.patches + 1, E = Self.configuration.embedDimension
        var worst: Float = 0, apart: Float = 0
        for (b, output) in outputs.enumerated() {
            let tokens = output.valueValueTokens!
            for i in tokens.indices {
                worst = max(worst, abs(valueValueRows![(b * T + 1) * E + i] - tokens[i]))
                apart = max(apart, abs(rows[(b * T + 1) * E + i] - tokens[i]))
            }
        }
        #expect(worst <= 1e-5, "training's V-V rows vs the inference tower's: \(worst)")
        #expect(apart > 1e-2, "the ordinary rows differ from the V-V tokens")
    }

    @Test func afewStepsLowerTheLoss() throws {
        let parameters = CLIPParameters(initialising: Self.configuration, seed: 3)
        var trainer = Pretrainer(parameters: parameters, optimizer: AdamW(parameters, learningRate: 2e-3))
        let batch = batch()
        let first = trainer.step(batch, learningRate: 2e-3).loss
        for _ in 0..<8 { trainer.step(batch, learningRate: 2e-3) }
        let last = trainer.lossAndGradients(batch).result.loss
        #expect(last < first * 0.8, "loss \(first) -> \(last)")
    }

    @Test func reusedBuffersGiveTheSameSteps() throws {
        let parameters = CLIPParameters(initialising: Self.configuration, seed: 3)
        var reusing = Pretrainer(parameters: parameters, optimizer: AdamW(parameters, learningRate: 1e-3))
        var fresh = reusing
        var stream = CaptionStream(seed: 9, size: 32, defectiveFraction: 0.7)
        for _ in 0..<3 {
            let batch = PretrainingBatch.make(&stream, count: 3, configuration: Self.configuration)
            fresh.visionTape = nil; fresh.textTape = nil; fresh.gradients = nil
            let a = reusing.step(batch, learningRate: 1e-3).loss, b = fresh.step(batch, learningRate: 1e-3).loss
            #expect(a == b)
        }
        #expect(reusing.parameters[.patchEmbedding] == fresh.parameters[.patchEmbedding])
        #expect(reusing.parameters[.block(.vision, 1, .fcWeight)] == fresh.parameters[.block(.vision, 1, .fcWeight)])
    }
}
