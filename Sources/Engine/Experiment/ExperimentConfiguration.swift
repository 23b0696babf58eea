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
}

/// Where DevPrompt's anomalous training images come from (METHOD-NOTES section 6).
public enum AnomalySource: String, Codable, CaseIterable, Sendable {
    /// Reading (a): the normal shots only; Eq. 8's y = 1 term never fires.
    case none
    /// Reading (b): CutPaste anomalies made from each normal shot, labelled anomalous.
    case cutpaste
}

/// Where PromptAD's learnable context vectors start.
public enum ContextInit: String, Codable, CaseIterable, Sendable {
    /// N(0, 0.02^2), as PromptAD's code draws them.
    case random
    /// The token embeddings of "a photo of a" (CoOp's ctx_init): the prompts start as the hand-written ones.
    case words
}

public struct ExperimentConfiguration: Codable, Hashable, Sendable {
    public var dataset: DatasetKind
    public var className: String
    public var shots = 1
    public var seed: UInt64 = 111
    public var method: DetectionMethod = .devprompt
    /// PromptAD: 100 epochs of one full-batch step each.
    public var epochs = 100
    public var learningRate: Float = 0.002
    /// DevPrompt's lambda, Top-K fraction and margin a (paper defaults 1, 10%, 5).
    public var lambda: Float = 1
    public var topK: Float = 0.1
    public var margin: Float = 5
    /// **[choice]** CutPaste anomalies by default, so Eq. 8's anomalous term trains; `none` is reading (a).
    public var anomalies: AnomalySource = .cutpaste
    /// Synthesised anomalies per normal shot.
    public var anomaliesPerShot = 4
    /// Learned anomaly prompts (PromptAD: 4).
    public var learnedPrompts = 4
    /// **[choice]** the papers do not say how the context starts; PromptAD's code draws it at random.
    public var contextInit: ContextInit = .random
    /// Taps for the visual memory (1-based blocks); nil: PromptAD's 3 and 8, scaled to shallower models.
    public var taps: [Int]?
    /// **[choice]** the DevPrompt paper evaluates at 256x256; PromptAD at 400x400.
    public var evaluationSize = 256
    /// Which pixels of each image the detector, its maps and the masks cover (PromptAD's squash by default).
    public var geometry: InputGeometry = .squash
    /// Use PromptAD's published 1-shot picks when they exist (MVTec AD and VisA); otherwise seeded shots.
    public var promptADShots = true

    public init(dataset: DatasetKind, className: String) { self.dataset = dataset; self.className = className }

    /// PromptAD taps blocks 3 and 8 of 12. **[choice]** a shallower model gets the same relative depths (4 layers: 1 and 3).
    public func resolvedTaps(layers: Int) -> [Int] {
        if let taps { return taps }
        if layers >= 12 { return [3, 8] }
        return Array(Set([max(1, Int((Double(layers) * 3 / 12).rounded())), max(1, Int((Double(layers) * 8 / 12).rounded()))])).sorted()
    }

    /// A short line naming the settings that matter for the method.
    public var summary: String {
        var parts = ["\(method.rawValue)", "\(dataset.rawValue)/\(className)", "\(shots)-shot", "seed \(seed)"]
        if method != .memory { parts.append("\(epochs) epochs, context from \(contextInit == .words ? "\"a photo of a\"" : "random")") }
        if method == .devprompt {
            parts.append(String(format: "lambda %g, top-K %g%%, margin %g, anomalies %@", lambda, topK * 100, margin, anomalies.rawValue))
        }
        return parts.joined(separator: ", ")
    }
}
