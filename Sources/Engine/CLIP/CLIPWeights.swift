// Loads an OpenCLIP ViT checkpoint (safetensors): checks every name against CheckpointKeys,
// infers the architecture from shapes, checks every shape and value.
import Foundation

public final class CLIPWeights: @unchecked Sendable {
    public let configuration: CLIPConfiguration
    public let path: String
    /// PromptAD's `s` (docs/method-notes.md section 4): the raw parameter, about ln 100 in trained checkpoints.
    public let logitScale: Float
    let tensors: [TensorRole: [Float]]

    init(configuration: CLIPConfiguration, path: String, logitScale: Float, tensors: [TensorRole: [Float]]) {
        self.configuration = configuration; self.path = path; self.logitScale = logitScale; self.tensors = tensors
    }

    func tensor(_ role: TensorRole) -> [Float] { tensors[role]! }

    /// `configPath`: the JSON for what shapes cannot tell; when nil, `<weights>.json` or
    /// `open_clip_config.json` (as the Hugging Face hub ships it) beside the weights is used if present.
    public static func load(path: String, configPath: String? = nil) throws -> CLIPWeights {
        let file = try Safetensors(path: path)
        let configuration = try architecture(of: file, overrides: try findOverrides(weights: path, explicit: configPath))

        // Every expected tensor, its shape checked, its values finite.
        var tensors: [TensorRole: [Float]] = [:]
        for (role, expected) in expectedShapes(configuration) {
            let name = CheckpointKeys.name(of: role)
            guard let entry = file.entries[name] else { throw EngineError.corrupt(path, "tensor \(name) is missing") }
            guard entry.shape == expected || (entry.shape.reduce(1, *) == 1 && expected.reduce(1, *) == 1) else {
                throw EngineError.corrupt(path, "tensor \(name) has shape \(entry.shape), expected \(expected)")
            }
            let values = try file.floats(name)
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw EngineError.corrupt(path, "tensor \(name) holds \(values[bad]) at index \(bad)")
            }
            tensors[role] = values
        }
        for name in file.entries.keys {
            if case .block(let tower, let index, _)? = CheckpointKeys.role(of: name),
               index >= (tower == .vision ? configuration.vision.layers : configuration.text.layers) {
                throw EngineError.corrupt(path, "unexpected tensor \(name)")
            }
        }
        return CLIPWeights(configuration: configuration, path: path, logitScale: tensors[.logitScale]![0], tensors: tensors)
    }

    /// The architecture a file holds, from its header's shapes and the JSON beside it; no tensor is read (`report weights info`).
    public static func architecture(path: String, configPath: String? = nil) throws -> CLIPConfiguration {
        try architecture(of: try Safetensors(path: path), overrides: try findOverrides(weights: path, explicit: configPath))
    }

    static func architecture(of file: Safetensors, overrides: CLIPConfiguration.Overrides) throws -> CLIPConfiguration {
        let path = file.path
        for name in file.entries.keys.sorted() where CheckpointKeys.role(of: name) == nil && !CheckpointKeys.ignored.contains(name) {
            throw EngineError.corrupt(path, "unexpected tensor \(name): not part of an OpenCLIP ViT (is this a ResNet or a CoCa checkpoint?)")
        }
        // The shapes the architecture is read from: the expected number of dimensions, each at least 1.
        func shape(_ role: TensorRole, dimensions: Int) throws -> [Int] {
            let name = CheckpointKeys.name(of: role)
            guard let entry = file.entries[name] else { throw EngineError.corrupt(path, "tensor \(name) is missing") }
            guard entry.shape.count == dimensions, entry.shape.allSatisfy({ $0 > 0 }) else {
                throw EngineError.corrupt(path, "tensor \(name) has shape \(entry.shape), expected \(dimensions) positive dimensions")
            }
            return entry.shape
        }
        // Blocks run 0, 1, ... without a gap: a stray block (resblocks.99) is named as such, not as a missing block 4.
        func blockCount(_ tower: TensorRole.Tower) throws -> Int {
            var names: [Int: String] = [:]
            for name in file.entries.keys.sorted() {
                if case .block(let t, let i, _)? = CheckpointKeys.role(of: name), t == tower, names[i] == nil { names[i] = name }
            }
            var count = 0
            while names[count] != nil { count += 1 }
            if let stray = names.keys.filter({ $0 > count }).min() {
                let tower = tower == .vision ? "vision" : "text"
                throw EngineError.corrupt(path, "unexpected tensor \(names[stray]!): the \(tower) tower's blocks \(count == 0 ? "have no block 0" : "run 0 to \(count - 1)"), then block \(count) is missing")
            }
            return count
        }

        // The architecture, from shapes (docs/method-notes.md section 1) and the overrides.
        let patch = try shape(.patchEmbedding, dimensions: 4)
        guard patch.count == 4, patch[1] == 3, patch[2] == patch[3] else {
            throw EngineError.corrupt(path, "tensor visual.conv1.weight has shape \(patch), expected [width, 3, patch, patch]")
        }
        let visionWidth = patch[0], patchSize = patch[2]
        let grid = try shape(.visionPositional, dimensions: 2)[0] - 1
        guard grid >= 1 else { throw EngineError.corrupt(path, "visual.positional_embedding has no patch positions") }
        let imageSize: [Int]
        if let given = overrides.imageSize {
            guard given.count == 2, given.allSatisfy({ $0 > 0 && $0 <= 1 << 16 }) else {
                throw EngineError.invalidInput("image_size \(given) in the config JSON: give [height, width] in pixels")
            }
            imageSize = given
        } else {
            let side = Int(Double(grid).squareRoot().rounded())
            guard side * side == grid else {
                throw EngineError.corrupt(path, "visual.positional_embedding has \(grid) patch positions, not a square grid: give image_size [h, w] in the config JSON")
            }
            imageSize = [side * patchSize, side * patchSize]
        }
        let tokenShape = try shape(.tokenEmbedding, dimensions: 2)
        let textWidth = tokenShape.count == 2 ? tokenShape[1] : 0
        for (role, dims) in [(TensorRole.block(.vision, 0, .fcWeight), 2), (.block(.text, 0, .fcWeight), 2)] { _ = try shape(role, dimensions: dims) }
        let visionMLP = try file.entries[CheckpointKeys.name(of: .block(.vision, 0, .fcWeight))]?.shape.first
            ?? { throw EngineError.corrupt(path, "tensor \(CheckpointKeys.name(of: .block(.vision, 0, .fcWeight))) is missing") }()
        let textMLP = try file.entries[CheckpointKeys.name(of: .block(.text, 0, .fcWeight))]?.shape.first
            ?? { throw EngineError.corrupt(path, "tensor \(CheckpointKeys.name(of: .block(.text, 0, .fcWeight))) is missing") }()
        let configuration = CLIPConfiguration(
            vision: .init(imageHeight: imageSize[0], imageWidth: imageSize[1], patchSize: patchSize, width: visionWidth,
                          layers: try blockCount(.vision), heads: overrides.visionHeads ?? visionWidth / CLIPConfiguration.defaultHeadWidth,
                          mlpWidth: visionMLP),
            text: .init(contextLength: try shape(.textPositional, dimensions: 2)[0], vocabularySize: tokenShape[0], width: textWidth,
                        layers: try blockCount(.text), heads: overrides.textHeads ?? max(1, textWidth / CLIPConfiguration.defaultHeadWidth),
                        mlpWidth: textMLP),
            embedDimension: try shape(.visionProjection, dimensions: 2)[1],
            activation: overrides.activation ?? .gelu)
        guard configuration.vision.layers > 0, configuration.text.layers > 0 else {
            throw EngineError.corrupt(path, "no transformer blocks in the \(configuration.vision.layers == 0 ? "vision" : "text") tower")
        }
        guard configuration.vision.heads > 0, visionWidth % configuration.vision.heads == 0,
              configuration.text.heads > 0, textWidth % configuration.text.heads == 0 else {
            throw EngineError.corrupt(path, "widths \(visionWidth) / \(textWidth) do not split into heads of 64: give vision_heads / text_heads in the config JSON")
        }
        guard imageSize[0] % patchSize == 0, imageSize[1] % patchSize == 0,
              (imageSize[0] / patchSize) * (imageSize[1] / patchSize) == grid else {
            throw EngineError.corrupt(path, "image size \(imageSize) with patch \(patchSize) does not give the \(grid) positions of visual.positional_embedding")
        }
        return configuration
    }

    static func expectedShapes(_ c: CLIPConfiguration) -> [(TensorRole, [Int])] {
        let v = c.vision, t = c.text
        var shapes: [(TensorRole, [Int])] = [
            (.patchEmbedding, [v.width, 3, v.patchSize, v.patchSize]), (.classEmbedding, [v.width]),
            (.visionPositional, [v.patches + 1, v.width]), (.lnPreWeight, [v.width]), (.lnPreBias, [v.width]),
            (.lnPostWeight, [v.width]), (.lnPostBias, [v.width]), (.visionProjection, [v.width, c.embedDimension]),
            (.tokenEmbedding, [t.vocabularySize, t.width]), (.textPositional, [t.contextLength, t.width]),
            (.lnFinalWeight, [t.width]), (.lnFinalBias, [t.width]), (.textProjection, [t.width, c.embedDimension]),
            (.logitScale, []),
        ]
        for (tower, layers, width, mlp) in [(TensorRole.Tower.vision, v.layers, v.width, v.mlpWidth), (.text, t.layers, t.width, t.mlpWidth)] {
            for i in 0..<layers {
                let block: [(TensorRole.BlockTensor, [Int])] = [
                    (.ln1Weight, [width]), (.ln1Bias, [width]), (.inProjWeight, [3 * width, width]), (.inProjBias, [3 * width]),
                    (.outProjWeight, [width, width]), (.outProjBias, [width]), (.ln2Weight, [width]), (.ln2Bias, [width]),
                    (.fcWeight, [mlp, width]), (.fcBias, [mlp]), (.projWeight, [width, mlp]), (.projBias, [width]),
                ]
                shapes += block.map { (.block(tower, i, $0.0), $0.1) }
            }
        }
        return shapes
    }

    static func findOverrides(weights: String, explicit: String?) throws -> CLIPConfiguration.Overrides {
        try overridesPath(weights: weights, explicit: explicit).map(readConfig) ?? CLIPConfiguration.Overrides()
    }

    /// Names a checkpoint may hold that this model does not use (an attention mask, SigLIP's logit bias).
    public static var ignoredNames: Set<String> { CheckpointKeys.ignored }

    /// Whether `name` is one of OpenCLIP's CLIP tensor names (`report weights import` keeps only those).
    public static func isCLIPName(_ name: String) -> Bool { CheckpointKeys.role(of: name) != nil }

    /// The JSON that completes the weights' architecture: the one given, else `<weights>.json`, `config.json` or
    /// `open_clip_config.json` beside them; nil when there is none.
    public static func overridesPath(weights: String, explicit: String?) -> String? {
        if let explicit { return explicit }
        let url = URL(fileURLWithPath: weights)
        return [url.deletingPathExtension().appendingPathExtension("json"),
                url.deletingLastPathComponent().appendingPathComponent("config.json"),
                url.deletingLastPathComponent().appendingPathComponent("open_clip_config.json")]
            .first { FileManager.default.fileExists(atPath: $0.path) }?.path
    }

    /// That JSON and what it says, for telling a user which settings came from it (`report weights info`).
    public static func overrides(weights: String, explicit: String?) throws -> (path: String, overrides: CLIPConfiguration.Overrides)? {
        try overridesPath(weights: weights, explicit: explicit).map { ($0, try readConfig($0)) }
    }

    /// Our small JSON, or the hub's open_clip_config.json ({"model_cfg": {"quick_gelu", "vision_cfg": {"image_size"}}}).
    static func readConfig(_ path: String) throws -> CLIPConfiguration.Overrides {
        guard let data = FileManager.default.contents(atPath: path) else { throw EngineError.unreadable(path, "no such file") }
        if let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let model = json["model_cfg"] as? [String: Any] {
            let vision = model["vision_cfg"] as? [String: Any]
            let size: [Int]? = (vision?["image_size"] as? Int).map { [$0, $0] } ?? (vision?["image_size"] as? [Int])
            return CLIPConfiguration.Overrides(activation: (model["quick_gelu"] as? Bool == true) ? .quickGELU : .gelu, imageSize: size)
        }
        return try CLIPConfiguration.Overrides.read(path)
    }
}
