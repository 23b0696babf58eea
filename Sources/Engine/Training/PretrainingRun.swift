// A whole pretraining run: a fixed number of steps on fresh batches, the schedule, a log of every
// step, and the weights written as OpenCLIP-named safetensors. Deterministic from its seed.
import Foundation

public struct PretrainingSettings: Codable, Sendable {
    public var steps = 2000
    public var batchSize = 32
    public var learningRate: Float = 5e-4
    public var warmup = 100
    public var weightDecay: Float = 0.2
    public var denseWeight: Float = 1
    /// The dense term's tokens; nil in logs written before the choice existed, whose runs read the ordinary ones.
    public var denseTokens: DenseTokens? = .valueValue
    public var seed: UInt64 = 0
    /// Stop after this many steps of a schedule planned for `steps` (a checkpoint of the full run, reproduced).
    public var stopAfter: Int?
    public var layers = 4, width = 192, embed = 128, imageSize = 128, patch = 8, contextLength = 16
    public init() {}

    public var configuration: CLIPConfiguration {
        CLIPInitializer.small(layers: layers, width: width, embed: embed, imageSize: imageSize, patch: patch, contextLength: contextLength)
    }
}

public struct PretrainingLogEntry: Codable, Sendable {
    public var step: Int
    public var loss: Float, contrastive: Float, dense: Float
    public var learningRate: Float
    public var logitScale: Float
    public var seconds: Double
}

public struct PretrainingLog: Codable, Sendable {
    public var settings: PretrainingSettings
    public var reservedDefects: [String]
    public var parameters: Int
    public var entries: [PretrainingLogEntry] = []
    public var imagesPerSecond: Double = 0
    public var totalSeconds: Double = 0
}

public enum PretrainingRun {
    /// Trains from OpenCLIP's initialisation; `onStep` sees each step's entry (progress, periodic saves).
    public static func train(_ settings: PretrainingSettings, onStep: (PretrainingLogEntry, CLIPParameters) throws -> Void = { _, _ in })
        throws -> (parameters: CLIPParameters, log: PretrainingLog) {
        let configuration = settings.configuration
        let parameters = CLIPParameters(initialising: configuration, seed: settings.seed)
        var trainer = Pretrainer(parameters: parameters, optimizer: AdamW(parameters, learningRate: settings.learningRate, weightDecay: settings.weightDecay))
        trainer.loss.denseWeight = settings.denseWeight
        trainer.loss.denseTokens = settings.denseTokens ?? .ordinary
        let stream = CaptionStream(seed: settings.seed, size: settings.imageSize)
        var log = PretrainingLog(settings: settings, reservedDefects: stream.reserved.map(\.rawValue).sorted(), parameters: parameters.count)
        let producer = BatchProducer(stream: stream, batchSize: settings.batchSize, configuration: configuration)
        defer { producer.stop() }
        let last = min(settings.stopAfter ?? settings.steps, settings.steps)
        let progress = ProgressTracker("pretraining (steps)", total: last)
        let start = Date()
        for step in 0..<last {
            let rate = AdamW.rate(base: settings.learningRate, step: step, warmup: settings.warmup, total: settings.steps)
            let result = trainer.step(producer.next(), learningRate: rate)
            let entry = PretrainingLogEntry(step: step, loss: result.loss, contrastive: result.contrastive, dense: result.dense,
                                            learningRate: rate, logitScale: trainer.parameters[.logitScale][0],
                                            seconds: Date().timeIntervalSince(start))
            log.entries.append(entry)
            try onStep(entry, trainer.parameters)
            progress.step()
        }
        log.totalSeconds = Date().timeIntervalSince(start)
        log.imagesPerSecond = Double(last * settings.batchSize) / log.totalSeconds
        return (trainer.parameters, log)
    }
}
