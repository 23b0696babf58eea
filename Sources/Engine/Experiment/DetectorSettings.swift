// The detector's own settings, with their defaults written once: the CLI's options, the report's
// cells and the benchmarks apply what they change to this, and the experiment configuration embeds it.
import Foundation

public struct DetectorSettings: Codable, Hashable, Sendable {
    public var method: DetectionMethod = .devprompt
    /// Seed of the shots, the prompts' initialisation and the synthesised anomalies.
    public var seed: UInt64 = 111
    /// PromptAD: 100 epochs of one full-batch step each.
    public var epochs = 100
    public var learningRate: Float = 0.002
    /// DevPrompt's lambda, Top-K fraction and margin a (the paper's defaults: 1, 10%, 5).
    public var lambda: Float = 1
    public var topK: Float = 0.1
    public var margin: Float = 5
    /// **[choice]** the normal shot alone (reading (a), Eq. 8's y = 1 term idle), picked on the held-out benchmark (data seed 1)
    /// over CutPaste anomalies (reading (b)); the sensitivity chapter shows both and whether the pick still holds.
    public var anomalies: AnomalySource = .none
    /// **[choice]** DevPrompt's inference map: PromptAD's text map from the deviation-trained prompts, picked on the held-out
    /// benchmark (data seed 1) over the deviation map; the sensitivity chapter shows both.
    public var inferenceMap: InferenceMap = .text
    /// Synthesised anomalies per normal shot.
    public var anomaliesPerShot = 4
    /// Learned anomaly prompts (PromptAD: 4).
    public var learnedPrompts = 4
    /// **[choice]** the learned anomaly token before the class name (PromptAD's code) or after it (its paper).
    public var anomalyTokenBeforeClass = true
    /// **[choice]** the papers do not say how the context starts; PromptAD's code draws it at random.
    public var contextInit: ContextInit = .random
    /// Taps for the visual memory (1-based blocks); nil: PromptAD's 3 and 8, scaled to shallower models.
    public var taps: [Int]?
    /// Which pixels of each image the detector, its maps and the masks cover (PromptAD's squash by default).
    public var geometry: InputGeometry = .squash

    public init() {}

    /// Every setting in its range (the CLI's flags are checked earlier, with the flag's name).
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw EngineError.invalidInput("configuration: \(what)") } }
        try check(epochs >= 1, "epochs must be at least 1")
        try check(learningRate > 0 && learningRate.isFinite, "learningRate must be positive")
        try check(lambda >= 0 && lambda.isFinite, "lambda must be a non-negative number")
        try check(topK > 0 && topK <= 1, "topK is a fraction of the patches, in (0, 1]")
        try check(margin > 0 && margin.isFinite, "margin must be a positive number of standard deviations")
        try check((0...64).contains(anomaliesPerShot), "anomaliesPerShot must be from 0 to 64")
        try check((1...64).contains(learnedPrompts), "learnedPrompts must be from 1 to 64")
        if let taps { try check(!taps.isEmpty && taps.allSatisfy { $0 >= 1 }, "taps are block numbers from 1 (or absent for PromptAD's)") }
    }
}

// Decoded field by field: a hand-written configuration may name only what it changes.
extension DetectorSettings {
    enum CodingKeys: String, CodingKey {
        case method, seed, epochs, learningRate, lambda, topK, margin, anomalies, inferenceMap, anomaliesPerShot, learnedPrompts
        case anomalyTokenBeforeClass, contextInit, taps, geometry
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DetectorSettings()
        method = try c.decodeIfPresent(DetectionMethod.self, forKey: .method) ?? d.method
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? d.seed
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? d.learningRate
        lambda = try c.decodeIfPresent(Float.self, forKey: .lambda) ?? d.lambda
        topK = try c.decodeIfPresent(Float.self, forKey: .topK) ?? d.topK
        margin = try c.decodeIfPresent(Float.self, forKey: .margin) ?? d.margin
        anomalies = try c.decodeIfPresent(AnomalySource.self, forKey: .anomalies) ?? d.anomalies
        inferenceMap = try c.decodeIfPresent(InferenceMap.self, forKey: .inferenceMap) ?? d.inferenceMap
        anomaliesPerShot = try c.decodeIfPresent(Int.self, forKey: .anomaliesPerShot) ?? d.anomaliesPerShot
        learnedPrompts = try c.decodeIfPresent(Int.self, forKey: .learnedPrompts) ?? d.learnedPrompts
        anomalyTokenBeforeClass = try c.decodeIfPresent(Bool.self, forKey: .anomalyTokenBeforeClass) ?? d.anomalyTokenBeforeClass
        contextInit = try c.decodeIfPresent(ContextInit.self, forKey: .contextInit) ?? d.contextInit
        taps = try c.decodeIfPresent([Int].self, forKey: .taps)?.sorted()
        geometry = try c.decodeIfPresent(InputGeometry.self, forKey: .geometry) ?? d.geometry
    }
}
