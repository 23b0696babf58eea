// Training speed: steady-state optimiser steps of `report pretrain` (fresh batches from the background
// generator, forward, backward through both towers, AdamW), with the matrix work counted from the shapes.
import Foundation

public struct PretrainingBenchmarkResult: Codable, Sendable {
    public var batchSize: Int
    public var denseTokens: DenseTokens
    public var secondsPerStep: Double
    public var imagesPerSecond: Double
    public var parameters: Int
    /// Forward and backward multiply-adds of the linear layers and attention (2 flops each), per step.
    public var gflopPerStep: Double
    public var gflopPerSecond: Double
    public var sgemmPeakGFLOPPerSecond: Double
    public var fractionOfSgemmPeak: Double
}

public enum PretrainingBenchmark {
    public static func run(_ settings: PretrainingSettings, steps: Int) -> PretrainingBenchmarkResult {
        let configuration = settings.configuration
        let parameters = CLIPParameters(initialising: configuration, seed: settings.seed)
        var trainer = Pretrainer(parameters: parameters, optimizer: AdamW(parameters))
        let tokens = settings.denseTokens ?? .ordinary
        trainer.loss.denseTokens = tokens
        let producer = BatchProducer(stream: CaptionStream(seed: settings.seed, size: settings.imageSize), batchSize: settings.batchSize,
                                     configuration: configuration)
        defer { producer.stop() }
        let first = producer.next()
        trainer.step(first, learningRate: 1e-4)                     // warm-up: buffers sized, pages touched
        var batches: [PretrainingBatch] = []
        let start = Date()
        for _ in 0..<steps {
            let batch = producer.next()
            batches.append(batch)
            trainer.step(batch, learningRate: 1e-4)
        }
        let seconds = Date().timeIntervalSince(start) / Double(steps)
        let flops = batches.map { stepFLOPs(configuration, batch: $0, valueValue: tokens == .valueValue) }.reduce(0, +) / Double(steps)
        let peak = [1024, 2048].map { MatmulBenchmark.sgemm(size: $0, repeats: 3).gflopPerSecond }.max()!
        return PretrainingBenchmarkResult(batchSize: settings.batchSize, denseTokens: tokens, secondsPerStep: seconds,
                                          imagesPerSecond: Double(settings.batchSize) / seconds, parameters: parameters.count,
                                          gflopPerStep: flops / 1e9, gflopPerSecond: flops / 1e9 / seconds,
                                          sgemmPeakGFLOPPerSecond: peak, fractionOfSgemmPeak: flops / 1e9 / seconds / peak)
    }

    /// Three times the forward work (backward: input and weight gradients), every block run in full;
    /// with `valueValue`, each vision block's V-V attention and out-projection too.
    static func stepFLOPs(_ c: CLIPConfiguration, batch: PretrainingBatch, valueValue: Bool) -> Double {
        func blocks(tokens T: Double, width C: Double, mlp M: Double, layers: Int) -> Double {
            Double(layers) * (2 * T * C * 4 * C + 2 * 2 * T * T * C + 2 * 2 * T * C * M)
        }
        let v = c.vision, t = c.text
        let T = Double(v.patches + 1)
        var forward = Double(batch.images.count) * (blocks(tokens: T, width: Double(v.width), mlp: Double(v.mlpWidth), layers: v.layers)
            + 2 * Double(v.patches) * Double(3 * v.patchSize * v.patchSize) * Double(v.width) + 2 * T * Double(v.width * c.embedDimension))
        if valueValue {
            let C = Double(v.width)
            forward += Double(batch.images.count) * (Double(v.layers) * (2 * 2 * T * T * C + 2 * T * C * C) + 2 * T * C * Double(c.embedDimension))
        }
        for caption in batch.captions + Array(repeating: batch.captions[0], count: 2 * SyntheticProduct.allCases.count) {
            let L = Double(TextTransformer.Prompt(tokens: caption).endOfText + 1)
            forward += blocks(tokens: L, width: Double(t.width), mlp: Double(t.mlpWidth), layers: t.layers) + 2 * Double(t.width * c.embedDimension)
        }
        return 3 * forward
    }
}
