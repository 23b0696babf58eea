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
    /// **[choice]** CutPaste anomalies by default, so Eq. 8's anomalous term trains; `none` is reading (a).
    public var anomalies: AnomalySource = .cutpaste
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
}
