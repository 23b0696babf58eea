import ArgumentParser
import Engine
import Foundation
import ReportKit

/// `report embed`: CLIP features of images and texts, as JSON (and NumPy files), for users and for checks.
struct EmbedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print CLIP embeddings of images and texts as JSON (raw, not normalised).")

    @Option(help: "OpenCLIP weights (.safetensors); default: the embedded model.")
    var weights: String?

    @Option(name: .customLong("model-config"), help: "JSON for what the shapes cannot tell (activation, image_size, heads); default: beside the weights.")
    var config: String?

    @Option(name: .customLong("image"), help: "An image (PNG or JPEG); repeatable. Preprocessed as open_clip does (shorter side, centre crop), as the parity tests check.")
    var images: [String] = []

    @Option(name: .customLong("text"), help: "A text prompt; repeatable.")
    var texts: [String] = []

    @Flag(help: "Also compute PromptAD's V-V patch tokens (written with --npy-dir).")
    var surgery = false

    @Option(help: "Ordinary-stream blocks (1-based) whose patch tokens are written with --npy-dir.")
    var taps: String = "3,8"

    @Option(help: "Write image<i>_input.npy, image<i>_vv_tokens.npy and image<i>_tap<N>.npy here.")
    var npyDir: String?

    func validate() throws {
        if images.isEmpty && texts.isEmpty { throw ValidationError("give at least one --image or --text") }
        if tapBlocks == nil { throw ValidationError("--taps must be block numbers separated by commas, e.g. 3,8") }
    }

    var tapBlocks: [Int]? {
        let parts = taps.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return parts.contains(nil) ? nil : parts.compactMap { $0 }
    }

    func run() throws {
        try reportingErrors("report embed") {
            guard let weights = weights ?? Workspace.current.embeddedModel?.path else {
                throw EngineError.invalidInput("no embedded model found: pass --weights FILE (OpenCLIP .safetensors)")
            }
            let model = try CLIPModel(path: weights, configPath: config)
            let taps = Set(tapBlocks ?? []).filter { $0 <= model.configuration.vision.layers }
            var imageEntries: [[String: Any]] = []
            // The arrays go to a folder by the write rule: written beside it and renamed in once all are there.
            func encodeImages(_ dir: URL?) throws {
                for (i, path) in images.enumerated() {
                    let input = model.preprocess(try ImageFile.read(path))
                    let output = try model.vision.forward([input], surgery: surgery, taps: dir == nil ? [] : taps)[0]
                    imageEntries.append(["path": path, "embedding": output.embedding.map(Double.init)])
                    guard let dir else { continue }
                    let v = model.configuration.vision
                    try NumPyFile.write(input, shape: [3, v.imageHeight, v.imageWidth], to: dir.appendingPathComponent("image\(i)_input.npy"))
                    if let tokens = output.valueValueTokens {
                        try NumPyFile.write(tokens, shape: [v.patches, model.configuration.embedDimension], to: dir.appendingPathComponent("image\(i)_vv_tokens.npy"))
                    }
                    for (block, values) in output.taps {
                        try NumPyFile.write(values, shape: [v.patches, v.width], to: dir.appendingPathComponent("image\(i)_tap\(block).npy"))
                    }
                }
            }
            if let npyDir {
                try OwnedFolder(npyDir, command: "report embed --npy-dir", protecting: images + [weights, config].compactMap { $0 }).write { try encodeImages($0) }
            } else {
                try encodeImages(nil)
            }
            var textEntries: [[String: Any]] = []
            for text in texts {
                let tokens = try model.tokens(text)
                let embedding = try model.text.forward([.init(tokens: tokens)])[0]
                textEntries.append(["text": text, "tokens": tokens, "embedding": embedding.map(Double.init)])
            }
            var modelEntry: [String: Any] = model.configuration.summary
            modelEntry["activation"] = model.configuration.activation.rawValue
            modelEntry["weights"] = weights
            let json: [String: Any] = ["model": modelEntry, "images": imageEntries, "texts": textEntries]
            let data = try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}
