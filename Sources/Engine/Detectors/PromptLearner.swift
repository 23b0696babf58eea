// PromptAD's prompts (docs/method-notes.md section 3): four learnable context vectors shared by every
// prompt, normal prompts "[C1..C4] {class}.", manual anomaly prompts "[C1..C4] {state}." and learned
// anomaly prompts "[C1..C4] [A] {class}." with one learnable anomaly token each.
import Foundation

public struct PromptLearner: Sendable {
    /// (4, C) context vectors, shared by all prompt kinds.
    public var context: [[Float]]
    /// (n, C) learnable anomaly tokens, one per learned anomaly prompt.
    public var anomalyTokens: [[Float]]
    public let className: String
    public let manualStates: [String]
    /// **[choice]** PromptAD's code puts [A] before the class name; its paper puts it after.
    public let anomalyTokenBeforeClass: Bool

    /// The anomaly states every class gets ("{}" is the class name).
    public static let genericStates = ["damaged {}", "flawed {}", "abnormal {}", "imperfect {}", "blemished {}",
                                       "{} with flaw", "{} with defect", "{} with damage"]

    /// Dataset class names as prompts say them.
    public static func promptName(_ className: String) -> String {
        switch className {
        case "metal_nut": return "metal nut"
        case "pcb1", "pcb2", "pcb3", "pcb4": return "printed circuit board"
        case "macaroni1", "macaroni2": return "macaroni"
        case "pipe_fryum": return "pipe fryum"
        case "chewinggum": return "chewing gum"
        default: return className.replacingOccurrences(of: "_", with: " ")
        }
    }

    /// Context N(0, 0.02^2) and anomaly tokens initialised from a seed (PromptAD's init); `contextWords`, when
    /// given, are the context's starting vectors instead (as many as `contextCount`, each `width` long).
    public init(className: String, width: Int, seed: UInt64, contextCount: Int = 4, anomalyPrompts: Int = 4,
                extraStates: [String] = [], anomalyTokenBeforeClass: Bool = true, contextWords: [[Float]]? = nil) {
        var random = SeededRandom(seed: seed)
        context = (0..<contextCount).map { _ in (0..<width).map { _ in 0.02 * random.normal() } }
        if let contextWords {
            precondition(contextWords.count == contextCount && contextWords.allSatisfy { $0.count == width },
                         "PromptLearner: \(contextWords.count) context words for \(contextCount) vectors of width \(width)")
            context = contextWords
        }
        anomalyTokens = (0..<anomalyPrompts).map { _ in (0..<width).map { _ in 0.02 * random.normal() } }
        self.className = PromptLearner.promptName(className)
        manualStates = PromptLearner.genericStates + extraStates
        self.anomalyTokenBeforeClass = anomalyTokenBeforeClass
    }

    public enum Kind: Sendable, Equatable { case normal, manualAnomaly, learnedAnomaly(Int) }

    /// Every prompt with its kind; placeholders "x" stand where learnable vectors go.
    public func prompts(tokenizer: Tokenizer, contextLength: Int) -> [(kind: Kind, prompt: TextTransformer.Prompt)] {
        let placeholders = Array(repeating: "x", count: context.count).joined(separator: " ")
        func make(_ text: String, _ kind: Kind, anomalyPosition: Int?) -> (Kind, TextTransformer.Prompt) {
            let tokens = tokenizer.tokenize(placeholders + " " + text, contextLength: contextLength)
            var replacements: [Int: [Float]] = [:]
            for (i, vector) in context.enumerated() where 1 + i < tokens.count - 1 { replacements[1 + i] = vector }
            if case .learnedAnomaly(let j) = kind, let position = anomalyPosition, position < tokens.count - 1 {
                replacements[position] = anomalyTokens[j]
            }
            return (kind, TextTransformer.Prompt(tokens: tokens, replacements: replacements))
        }
        var out = [make("\(className).", .normal, anomalyPosition: nil)]
        out += manualStates.map { make($0.replacingOccurrences(of: "{}", with: className) + ".", .manualAnomaly, anomalyPosition: nil) }
        let classTokens = tokenizer.encode(className).count
        for j in anomalyTokens.indices {
            // "[C1..C4] [A] class." or "[C1..C4] class [A]."
            let text = anomalyTokenBeforeClass ? "x \(className)." : "\(className) x."
            let position = 1 + context.count + (anomalyTokenBeforeClass ? 0 : classTokens)
            out.append(make(text, .learnedAnomaly(j), anomalyPosition: position))
        }
        return out
    }

    /// Sums the per-prompt position gradients from `TextTransformer.backward` into the learnable vectors' gradients.
    public func gradients(prompts: [(kind: Kind, prompt: TextTransformer.Prompt)], positionGradients: [[Int: [Float]]])
        -> (context: [[Float]], anomalyTokens: [[Float]]) {
        let width = context.first?.count ?? 0
        var dContext = context.map { _ in [Float](repeating: 0, count: width) }
        var dAnomaly = anomalyTokens.map { _ in [Float](repeating: 0, count: width) }
        for ((kind, prompt), gradients) in zip(prompts, positionGradients) {
            for (position, g) in gradients {
                if (1...context.count).contains(position) {
                    for c in 0..<width { dContext[position - 1][c] += g[c] }
                } else if case .learnedAnomaly(let j) = kind, prompt.replacements[position] != nil {
                    for c in 0..<width { dAnomaly[j][c] += g[c] }
                }
            }
        }
        return (dContext, dAnomaly)
    }
}
