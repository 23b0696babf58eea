// The architecture of an OpenCLIP ViT model: what the loader infers from tensor shapes, plus what
// shapes cannot tell (activation, non-square input, head width) from an optional JSON file.
import Foundation

public struct CLIPConfiguration: Codable, Sendable, Equatable {
    public struct Vision: Codable, Sendable, Equatable {
        public var imageHeight: Int
        public var imageWidth: Int
        public var patchSize: Int
        public var width: Int
        public var layers: Int
        public var heads: Int
        public var mlpWidth: Int
        public var gridHeight: Int { imageHeight / patchSize }
        public var gridWidth: Int { imageWidth / patchSize }
        /// Patch tokens, without the class token.
        public var patches: Int { gridHeight * gridWidth }
    }

    public struct Text: Codable, Sendable, Equatable {
        public var contextLength: Int
        public var vocabularySize: Int
        public var width: Int
        public var layers: Int
        public var heads: Int
        public var mlpWidth: Int
    }

    public var vision: Vision
    public var text: Text
    public var embedDimension: Int
    public var activation: Activation

    /// The JSON that may sit beside the weights: `{"activation": "gelu" | "quick_gelu",
    /// "image_size": 240 | [h, w], "vision_heads": n, "text_heads": n}`.
    public struct Overrides: Codable, Sendable, Equatable {
        public var activation: Activation?
        public var imageSize: [Int]?
        public var visionHeads: Int?
        public var textHeads: Int?

        enum CodingKeys: String, CodingKey {
            case activation
            case imageSize = "image_size"
            case visionHeads = "vision_heads"
            case textHeads = "text_heads"
        }

        public init(activation: Activation? = nil, imageSize: [Int]? = nil, visionHeads: Int? = nil, textHeads: Int? = nil) {
            self.activation = activation; self.imageSize = imageSize; self.visionHeads = visionHeads; self.textHeads = textHeads
        }

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            activation = try c.decodeIfPresent(Activation.self, forKey: .activation)
            if let single = try? c.decodeIfPresent(Int.self, forKey: .imageSize) { imageSize = [single, single] }
            else { imageSize = try c.decodeIfPresent([Int].self, forKey: .imageSize) }
            visionHeads = try c.decodeIfPresent(Int.self, forKey: .visionHeads)
            textHeads = try c.decodeIfPresent(Int.self, forKey: .textHeads)
        }

        public static func read(_ path: String) throws -> Overrides {
            guard let data = FileManager.default.contents(atPath: path) else { throw EngineError.unreadable(path, "no such file") }
            do { return try JSONDecoder().decode(Overrides.self, from: data) }
            catch { throw EngineError.corrupt(path, "not a valid model config: \(error)") }
        }
    }

    /// Head width assumed when the config does not say: 64, as in every OpenCLIP ViT up to ViT-L.
    public static let defaultHeadWidth = 64

    /// Architecture fields as `report embed` prints them.
    public var summary: [String: Int] {
        ["imageHeight": vision.imageHeight, "imageWidth": vision.imageWidth, "patchSize": vision.patchSize,
         "visionWidth": vision.width, "visionLayers": vision.layers, "visionHeads": vision.heads,
         "contextLength": text.contextLength, "vocabularySize": text.vocabularySize, "textWidth": text.width,
         "textLayers": text.layers, "textHeads": text.heads, "embedDimension": embedDimension]
    }
}
