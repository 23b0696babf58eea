// A randomly initialised OpenCLIP ViT, as open_clip initialises one: the control "same architecture,
// random weights" and the starting point of pretraining. Written with OpenCLIP's key names, so it
// loads through the same loader as any checkpoint.
import Foundation

public enum CLIPInitializer {
    /// The project's small architecture (the shipped model's, Models/synthetic-clip): 128 px, patch 8,
    /// width 192, 4 layers per tower, context 16, embedding 128, GELU.
    public static func small(layers: Int = 4, width: Int = 192, embed: Int = 128, imageSize: Int = 128, patch: Int = 8,
                             contextLength: Int = 16) -> CLIPConfiguration {
        let heads = max(1, width / CLIPConfiguration.defaultHeadWidth)
        return CLIPConfiguration(
            vision: .init(imageHeight: imageSize, imageWidth: imageSize, patchSize: patch, width: width, layers: layers, heads: heads, mlpWidth: 4 * width),
            text: .init(contextLength: contextLength, vocabularySize: 49408, width: width, layers: layers, heads: heads, mlpWidth: 4 * width),
            embedDimension: embed, activation: .gelu)
    }

    /// Every tensor under its OpenCLIP name. Text tower: open_clip's `init_parameters` (normal, std
    /// width^-1/2 for attention, (2 width)^-1/2 for c_fc, width^-1/2 (2 layers)^-1/2 for projections);
    /// vision tower: its `scale * randn` embeddings and torch's layer defaults; logit scale ln(1/0.07).
    public static func tensors(_ c: CLIPConfiguration, seed: UInt64) -> [(name: String, shape: [Int], values: [Float])] {
        var random = SeededRandom(seed: seed)
        func normal(_ count: Int, _ std: Float) -> [Float] { (0..<count).map { _ in std * random.normal() } }
        func uniform(_ count: Int, _ bound: Float) -> [Float] { (0..<count).map { _ in bound * (2 * random.uniform() - 1) } }
        return CLIPWeights.expectedShapes(c).map { role, shape in
            let n = shape.reduce(1, *)
            let values: [Float]
            switch role {
            case .patchEmbedding: values = uniform(n, 1 / Float(3 * c.vision.patchSize * c.vision.patchSize).squareRoot())
            case .classEmbedding, .visionPositional, .visionProjection: values = normal(n, 1 / Float(c.vision.width).squareRoot())
            case .lnPreWeight, .lnPostWeight, .lnFinalWeight: values = [Float](repeating: 1, count: n)
            case .lnPreBias, .lnPostBias, .lnFinalBias: values = [Float](repeating: 0, count: n)
            case .tokenEmbedding: values = normal(n, 0.02)
            case .textPositional: values = normal(n, 0.01)
            case .textProjection: values = normal(n, 1 / Float(c.text.width).squareRoot())
            case .logitScale: values = [logf(1 / 0.07)]
            case .block(let tower, _, let tensor):
                let width = Float(tower == .vision ? c.vision.width : c.text.width)
                let layers = Float(tower == .vision ? c.vision.layers : c.text.layers)
                switch (tower, tensor) {
                case (_, .ln1Weight), (_, .ln2Weight): values = [Float](repeating: 1, count: n)
                case (_, .ln1Bias), (_, .ln2Bias), (_, .inProjBias), (_, .outProjBias): values = [Float](repeating: 0, count: n)
                case (.text, .inProjWeight): values = normal(n, 1 / width.squareRoot())
                case (.text, .outProjWeight), (.text, .projWeight): values = normal(n, 1 / width.squareRoot() / (2 * layers).squareRoot())
                case (.text, .fcWeight): values = normal(n, 1 / (2 * width).squareRoot())
                case (.vision, .inProjWeight): values = uniform(n, (6 / (4 * width)).squareRoot())     // xavier_uniform
                case (.vision, .outProjWeight), (.vision, .fcWeight): values = uniform(n, 1 / width.squareRoot())
                case (.vision, .projWeight): values = uniform(n, 1 / (4 * width).squareRoot())
                case (_, .fcBias): values = uniform(n, 1 / width.squareRoot())
                case (_, .projBias): values = uniform(n, 1 / Float(shape[0] * 4).squareRoot())
                }
            }
            return (CheckpointKeys.name(of: role), shape, values)
        }
    }

    /// Writes the model and its config JSON (activation, image size) beside it.
    public static func write(_ c: CLIPConfiguration, seed: UInt64, to url: URL, halfPrecision: Bool = false) throws {
        try Safetensors.write(tensors(c, seed: seed), to: url, halfPrecision: halfPrecision,
                              metadata: ["format": "pt", "origin": "DevPrompt report CLIPInitializer, seed \(seed)"])
        let config = "{\"activation\": \"\(c.activation.rawValue)\", \"image_size\": [\(c.vision.imageHeight), \(c.vision.imageWidth)]}\n"
        try config.write(to: url.deletingPathExtension().appendingPathExtension("json"), atomically: true, encoding: .utf8)
    }
}
