import ArgumentParser
import Engine
import Foundation
import ReportKit

/// `report weights info FILE`: what a safetensors file holds, from its header alone, so a user can tell at a
/// glance whether it is the paper's ViT-B-16-plus-240 and which activation it will run with.
struct WeightsInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print the architecture of OpenCLIP weights (.safetensors) from the file's header, without reading its tensors.")

    @Argument(help: "The weights file (.safetensors, OpenCLIP names).")
    var file: String

    @Option(name: .customLong("model-config"), help: "JSON for what the weights' shapes cannot tell (activation, image_size, heads); default: beside the weights.")
    var config: String?

    @Flag(help: "Print JSON: {\"file\", \"bytes\", \"tensors\", \"dtypes\", \"parameters\", \"openCLIPName\", \"activationFrom\", \"configuration\"}.")
    var json = false

    struct Info: Codable {
        var file: String
        var bytes: Int
        var tensors: Int
        /// Tensors per dtype ("F16": 302).
        var dtypes: [String: Int]
        var parameters: Int
        var openCLIPName: String?
        /// The JSON the activation came from; nil: none names it, so GELU was assumed.
        var activationFrom: String?
        var configuration: CLIPConfiguration
    }

    func run() throws {
        try reportingErrors("report weights info") {
            let info = try Self.info(file: file, config: config)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(info), as: UTF8.self))
            } else {
                print(Self.describe(info))
            }
        }
    }

    static func info(file: String, config: String?) throws -> Info {
        let header = try Safetensors(path: file)
        let configuration = try CLIPWeights.architecture(path: file, configPath: config)
        let bytes = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.intValue ?? 0
        let found = try CLIPWeights.overrides(weights: file, explicit: config)
        return Info(file: file, bytes: bytes, tensors: header.entries.count,
                    dtypes: Dictionary(grouping: header.entries.values, by: \.dtype).mapValues(\.count),
                    parameters: header.entries.values.reduce(0) { $0 + $1.shape.reduce(1, *) },
                    openCLIPName: OpenCLIPArchitectures.name(of: configuration),
                    activationFrom: found?.overrides.activation != nil ? found?.path : nil, configuration: configuration)
    }

    static func describe(_ info: Info) -> String {
        let c = info.configuration, v = c.vision, t = c.text
        let types = info.dtypes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        var lines = [String(format: "%@: safetensors, %.1f MB, %d tensors (%@), %.2f million parameters",
                            info.file, Double(info.bytes) / 1e6, info.tensors, types, Double(info.parameters) / 1e6)]
        if let name = info.openCLIPName {
            lines.append("architecture: open_clip's \(name)" + (name == "ViT-B-16-plus-240" ? " (the DevPrompt paper's model)" : ""))
        } else {
            lines.append("architecture: none of open_clip's ViT-B or ViT-L shapes (\(OpenCLIPArchitectures.all.map(\.name).joined(separator: ", ")))")
        }
        lines.append("image tower: \(v.imageHeight) x \(v.imageWidth) px, patch \(v.patchSize) (\(v.gridHeight) x \(v.gridWidth) grid), width \(v.width), \(v.layers) blocks, \(v.heads) heads, MLP \(v.mlpWidth)")
        lines.append("text tower: context \(t.contextLength), vocabulary \(t.vocabularySize), width \(t.width), \(t.layers) blocks, \(t.heads) heads, MLP \(t.mlpWidth)")
        lines.append("joint embedding: \(c.embedDimension)")
        if let from = info.activationFrom {
            lines.append("activation: \(c.activation.rawValue) (from \(from))")
        } else {
            lines.append("activation: \(c.activation.rawValue), assumed: shapes cannot tell. open_clip's LAION checkpoints use gelu; OpenAI's own use quick_gelu (write {\"activation\": \"quick_gelu\"} to \(URL(fileURLWithPath: info.file).deletingPathExtension().lastPathComponent).json beside the file, or pass --model-config)")
        }
        return lines.joined(separator: "\n")
    }
}
