// A loaded CLIP: both towers, the tokenizer and the preprocessing that go with the weights.
import Foundation

public final class CLIPModel: @unchecked Sendable {
    public let weights: CLIPWeights
    public let vision: VisionTransformer
    public let text: TextTransformer
    public let tokenizer: Tokenizer
    public let preprocess: CLIPPreprocess
    public var configuration: CLIPConfiguration { weights.configuration }

    public init(weights: CLIPWeights, tokenizer: Tokenizer = .shared) {
        self.weights = weights
        vision = VisionTransformer(weights)
        text = TextTransformer(weights)
        self.tokenizer = tokenizer
        preprocess = CLIPPreprocess(weights.configuration)
    }

    public convenience init(path: String, configPath: String? = nil) throws {
        self.init(weights: try CLIPWeights.load(path: path, configPath: configPath))
    }

    /// Token ids for a prompt, start to end-of-text, cut to the model's context length.
    public func tokens(_ text: String) throws -> [Int] {
        let ids = tokenizer.tokenize(text, contextLength: configuration.text.contextLength)
        if let bad = ids.first(where: { $0 >= configuration.text.vocabularySize }) {
            throw EngineError.invalidInput("token id \(bad) is outside this model's vocabulary of \(configuration.text.vocabularySize)")
        }
        return ids
    }

    /// Raw (not normalised) text features, one per prompt.
    public func encode(texts: [String]) throws -> [[Float]] {
        try text.forward(texts.map { TextTransformer.Prompt(tokens: try tokens($0)) })
    }
}
