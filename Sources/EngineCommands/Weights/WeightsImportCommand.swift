import ArgumentParser
import Engine
import Foundation
import ReportKit

extension Activation: ExpressibleByArgument {}

/// `report weights import FILE --out model.safetensors`: the checkpoints researchers have (open_clip's .pt and .bin,
/// OpenAI's TorchScript files) as the OpenCLIP-named safetensors the engine loads, with the JSON of what shapes cannot tell.
struct WeightsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a PyTorch CLIP checkpoint (.pt, .bin) to OpenCLIP-named safetensors and the JSON beside it.",
        discussion: """
        Reads torch.save's zip and legacy formats and TorchScript archives (OpenAI's CLIP files) without Python, through an \
        unpickler that admits only tensors and plain containers: a checkpoint that names code (os.system, eval...) is refused. \
        A training checkpoint's "state_dict" is taken, "module." prefixes are dropped; every tensor must be one of OpenCLIP's \
        CLIP names. The activation cannot be read from the weights: OpenAI's checkpoints (and open_clip's "-quickgelu" models) \
        use QuickGELU, open_clip's ViT-B-16-plus-240 laion400m_e32 (the paper's) uses GELU.
        """)

    @Argument(help: "The checkpoint: .pt or .bin (torch.save, zip or legacy; or torch.jit.save), or .safetensors with OpenCLIP names.")
    var file: String

    @Option(help: "Where the safetensors go; the JSON goes beside them as <name>.json.")
    var out: String

    @Option(help: "gelu or quick_gelu (default: quick_gelu for a TorchScript archive, as OpenAI's are; else gelu).")
    var activation: Activation?

    @Option(name: .customLong("image-size"), help: "The image tower's input as N or HxW, for a model whose input is not square (a square one's side is read from its shapes).")
    var imageSize: String?

    @Flag(help: "Store F16 (default: F16 when every tensor of the checkpoint is F16, else F32).")
    var half = false

    @Flag(help: "Replace --out (and its JSON) when they exist.")
    var overwrite = false

    func validate() throws {
        guard out.hasSuffix(".safetensors") else { throw ValidationError("--out must name a .safetensors file") }
        if let imageSize, Self.size(imageSize) == nil { throw ValidationError("--image-size must be N or HxW in pixels, e.g. 240 or 224x336") }
    }

    /// "240" → [240, 240], "224x336" → [224, 336] (height, width).
    static func size(_ text: String) -> [Int]? {
        let parts = text.lowercased().split(separator: "x").map { Int($0) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        let values = parts.map { $0! }
        return values.count == 1 ? [values[0], values[0]] : values
    }

    func run() throws {
        try reportingErrors("report weights import") {
            let outURL = URL(fileURLWithPath: out), jsonURL = outURL.deletingPathExtension().appendingPathExtension("json")
            guard URL(fileURLWithPath: file).standardizedFileURL != outURL.standardizedFileURL else {
                throw EngineError.invalidInput("--out \(out) is the checkpoint itself")
            }
            for existing in [outURL, jsonURL] where FileManager.default.fileExists(atPath: existing.path) && !overwrite {
                throw EngineError.invalidInput("\(existing.path) exists: pass --overwrite to replace it")
            }
            let imported = try Self.read(file)
            let chosen = activation ?? (imported.isTorchScript ? .quickGELU : .gelu)
            let store16 = half || imported.tensors.allSatisfy { $0.storageType == "HalfStorage" }
            try Safetensors.write(imported.tensors.map { ($0.name, $0.shape, $0.values) }, to: outURL, halfPrecision: store16,
                                  metadata: ["format": "pt", "source": (file as NSString).lastPathComponent, "imported_by": "report weights import"])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(CLIPConfiguration.Overrides(activation: chosen, imageSize: imageSize.flatMap(Self.size))), to: jsonURL)
            // Loaded back as the engine will load it: a file that imports but does not load is never left looking finished.
            do { _ = try CLIPWeights.load(path: outURL.path) } catch {
                try? FileManager.default.removeItem(at: outURL); try? FileManager.default.removeItem(at: jsonURL)
                throw error
            }
            let how = activation != nil ? "as asked" : imported.isTorchScript ? "a TorchScript archive, as OpenAI's are" : "assumed; --activation quick_gelu for OpenAI's and -quickgelu checkpoints"
            print("read \(file) (\(imported.format), \(imported.tensors.count) tensors\(imported.skipped.isEmpty ? "" : "; left out, not weights: " + imported.skipped.joined(separator: ", ")))")
            print("wrote \(out) (\(store16 ? "F16" : "F32")) and \(jsonURL.path) (activation \(chosen.rawValue): \(how))")
            print(WeightsInfoCommand.describe(try WeightsInfoCommand.info(file: out, config: nil)))
        }
    }

    /// The checkpoint's CLIP tensors by OpenCLIP's names; anything else is an error that names it.
    static func read(_ file: String) throws -> TorchCheckpoint {
        var checkpoint: TorchCheckpoint
        if file.hasSuffix(".safetensors") {
            let header = try Safetensors(path: file)
            checkpoint = TorchCheckpoint(tensors: try header.entries.keys.sorted().map { name in
                let entry = header.entries[name]!
                return TorchCheckpoint.Tensor(name: name, shape: entry.shape, values: try header.floats(name), storageType: entry.dtype == "F16" ? "HalfStorage" : "FloatStorage")
            }, skipped: [], isTorchScript: false, format: "safetensors")
        } else {
            checkpoint = try TorchCheckpoint.read(file)
        }
        checkpoint.tensors.removeAll { CLIPWeights.ignoredNames.contains($0.name) }
        let unknown = checkpoint.tensors.map(\.name).filter { !CLIPWeights.isCLIPName($0) }
        guard unknown.isEmpty else {
            throw EngineError.corrupt(file, "\(unknown.count) tensor(s) are not OpenCLIP's CLIP names (\(unknown.prefix(5).joined(separator: ", "))\(unknown.count > 5 ? "..." : "")): only open_clip's and OpenAI's CLIP checkpoints are imported")
        }
        return checkpoint
    }
}
