// Everything that decides an experiment's result, and nothing else: its hash is the key under which a
// finished run is memoised, so rerunning an ablation with the same settings costs nothing.
import Foundation

public enum DetectionMethod: String, Codable, CaseIterable, Sendable {
    /// PatchCore-style nearest neighbour on the taps' patch tokens, no text.
    case memory
    /// PromptAD: learned prompts, text map fused with the visual memory.
    case promptad
    /// DevPrompt: PromptAD plus the deviation loss with Top-K MIL; deviation map fused with the visual memory.
    case devprompt
    /// WinCLIP zero-shot: hand-written prompt ensembles against the image and its 2x2 and 3x3 windows; no shots.
    case winclip
    /// WinCLIP+: WinCLIP plus the shots' patch tokens and windows as visual memories.
    case winclipPlus = "winclip+"

    /// How tables and figures name the method. `memory` is not PatchCore proper (WideResNet-50 features, a coreset).
    public var label: String {
        switch self {
        case .memory: return "PatchCore-style memory (CLIP features)"
        case .promptad: return "PromptAD"
        case .devprompt: return "DevPrompt"
        case .winclip: return "WinCLIP"
        case .winclipPlus: return "WinCLIP+"
        }
    }

    /// The methods that learn prompts (epochs, learning rate and context apply to them).
    public var learnsPrompts: Bool { self == .promptad || self == .devprompt }
    /// The methods whose features are WinCLIP's (window embeddings), not the V-V tokens and taps.
    public var isWinCLIP: Bool { self == .winclip || self == .winclipPlus }
    /// Zero-shot methods use no normal image.
    public var usesShots: Bool { self != .winclip }
}

/// Where DevPrompt's anomalous training images come from (docs/method-notes.md section 6).
public enum AnomalySource: String, Codable, CaseIterable, Sendable {
    /// Reading (a): the normal shots only; Eq. 8's y = 1 term never fires.
    case none
    /// Reading (b): CutPaste anomalies made from each normal shot, labelled anomalous.
    case cutpaste
}

/// DevPrompt's pixel map at inference (docs/method-notes.md section 6): the paper's Eq. 5-6 read two ways.
public enum InferenceMap: String, Codable, CaseIterable, Sendable {
    /// The deviation map d(p) of the anomaly prototype, as d / (d + a), fused with the visual memory.
    case deviation
    /// PromptAD's text map from the prompts trained with the deviation term (DevPrompt as "PromptAD plus a loss"), fused.
    case text
}

/// Where PromptAD's learnable context vectors start.
public enum ContextInit: String, Codable, CaseIterable, Sendable {
    /// N(0, 0.02^2), as PromptAD's code draws them.
    case random
    /// The token embeddings of "a photo of a" (CoOp's ctx_init): the prompts start as the hand-written ones.
    case words
}

/// Everything that decides an experiment's result: the data it runs on and the detector's settings.
/// `c.lambda` reads `c.detector.lambda`: the detector's settings are written once, in `DetectorSettings`.
@dynamicMemberLookup
public struct ExperimentConfiguration: Codable, Hashable, Sendable {
    public var dataset: DatasetKind
    public var className: String
    public var shots = 1
    /// **[choice]** the DevPrompt paper evaluates at 256x256; PromptAD at 400x400.
    public var evaluationSize = 256
    /// **[choice]** off: the whole image resized to the model's input, as the paper does (256 x 256); a side or auto:
    /// overlapping square tiles of the original image, each seen as an image, the shots tiled alike, the maps blended back.
    public var tile = TileSetting.off
    /// Use PromptAD's published 1-shot picks when they exist (MVTec AD and VisA); otherwise seeded shots.
    public var promptADShots = true
    public var detector = DetectorSettings()

    public init(dataset: DatasetKind, className: String, detector: DetectorSettings = DetectorSettings()) {
        self.dataset = dataset; self.className = className; self.detector = detector
    }

    /// Every value in its range, whether it came from a flag, a JSON file or a cell; the error names the field.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw EngineError.invalidInput("configuration: \(what)") } }
        try ContainedPath.checkName(className, what: "class")
        try check(shots >= 1, "shots must be at least 1")
        try check((16...EvaluationMap.maxSize).contains(evaluationSize), "evaluationSize must be from 16 to \(EvaluationMap.maxSize) pixels")
        if case .side(let n) = tile { try check(n >= 16, "tile must be off, auto or a side of at least 16 pixels") }
        try detector.validate()
    }

    public subscript<T>(dynamicMember keyPath: WritableKeyPath<DetectorSettings, T>) -> T {
        get { detector[keyPath: keyPath] }
        set { detector[keyPath: keyPath] = newValue }
    }

    /// PromptAD taps blocks 3 and 8 of 12. **[choice]** a shallower model gets the same relative depths (4 layers: 1 and 3).
    public func resolvedTaps(layers: Int) -> [Int] {
        if let taps = detector.taps { return taps }
        if layers >= 12 { return [3, 8] }
        return Array(Set([max(1, Int((Double(layers) * 3 / 12).rounded())), max(1, Int((Double(layers) * 8 / 12).rounded()))])).sorted()
    }

    /// This experiment over `count` draws of the shot: draw d adds d to the seed, and draws after the first leave
    /// PromptAD's published shot (draw 0 keeps it on MVTec AD and VisA). A zero-shot method has no draw: itself alone.
    // **[choice]** a draw is the shot and the prompts' initialisation together (the paper says neither how many nor which).
    public func draws(_ count: Int) -> [ExperimentConfiguration] {
        guard detector.method.usesShots else { return [self] }
        return (0..<count).map { d in
            var c = self
            c.seed &+= UInt64(d)
            if d > 0 { c.promptADShots = false }
            return c
        }
    }

    /// A short line naming the settings that matter for the method.
    public var summary: String {
        let d = detector
        var parts = ["\(d.method.rawValue)", "\(dataset.rawValue)/\(className)", d.method.usesShots ? "\(shots)-shot" : "zero-shot", "seed \(d.seed)"]
        if tile != .off { parts.append(tile == .auto ? "tiled (auto)" : "tiles of \(tile) px") }
        if d.method.learnsPrompts { parts.append("\(d.epochs) epochs, context from \(d.contextInit == .words ? "\"a photo of a\"" : "random")") }
        if d.method == .devprompt {
            parts.append(String(format: "lambda %g, top-K %g%%, margin %g, anomalies %@, %@ map", d.lambda, d.topK * 100, d.margin, d.anomalies.rawValue, d.inferenceMap.rawValue))
        }
        return parts.joined(separator: ", ")
    }
}

// Decoded field by field: a hand-written configuration may name only its dataset and class.
extension ExperimentConfiguration {
    enum CodingKeys: String, CodingKey { case dataset, className, shots, evaluationSize, tile, promptADShots, detector }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(dataset: try c.decode(DatasetKind.self, forKey: .dataset), className: try c.decode(String.self, forKey: .className),
                  detector: try c.decodeIfPresent(DetectorSettings.self, forKey: .detector) ?? DetectorSettings())
        shots = try c.decodeIfPresent(Int.self, forKey: .shots) ?? shots
        evaluationSize = try c.decodeIfPresent(Int.self, forKey: .evaluationSize) ?? evaluationSize
        tile = try c.decodeIfPresent(TileSetting.self, forKey: .tile) ?? tile
        promptADShots = try c.decodeIfPresent(Bool.self, forKey: .promptADShots) ?? promptADShots
    }
}
