// Where the report's defaults live: the embedded model under Models/, the synthetic benchmark and
// the caches under .report-cache/. One place, so the CLI, the report's cells and the tests agree;
// the engine itself is handed paths and knows none of these folders.
import Engine
import Foundation

public struct Workspace: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    /// The working folder when it is a report's root (Package.swift or Chapters/ in it); else the report root
    /// above the running executable (a built `report` sits in <root>/.build/...); else the working folder.
    public static var current: Workspace {
        CellRunner.current?.readsInputs = true      // it leads to the embedded model and data: a cell reading it depends on them
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        if isReportRoot(cwd) { return Workspace(root: cwd) }
        return Workspace(root: executableAncestors.first(where: isReportRoot) ?? cwd)
    }

    static func isReportRoot(_ url: URL) -> Bool {
        ["Package.swift", "Chapters"].contains { FileManager.default.fileExists(atPath: url.appendingPathComponent($0).path) }
    }

    /// The folders above the running executable, nearest first (at most six).
    static var executableAncestors: [URL] {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        var folders: [URL] = [], folder = exe.deletingLastPathComponent()
        for _ in 0..<6 where folder.path != "/" { folders.append(folder); folder = folder.deletingLastPathComponent() }
        return folders
    }

    /// Where the shipped models are looked for: `$REPORT_MODELS` (a folder holding synthetic-clip/), the root's Models/,
    /// then the Models/ nearest above the executable (so a `report` binary copied elsewhere beside Models/ finds it).
    public static let modelsVariable = "REPORT_MODELS"

    public var cache: URL { root.appendingPathComponent(".report-cache") }
    public var featureCache: FeatureCache { FeatureCache(directory: cache.appendingPathComponent("features")) }
    public var experimentStore: ExperimentStore { ExperimentStore(directory: cache.appendingPathComponent("experiments")) }

    /// The model the project pretrains and ships (see Models/synthetic-clip/README.md); nil when none is found.
    public static let embeddedModelName = "synthetic-clip"
    public var embeddedModel: URL? {
        // $REPORT_MODELS, when set, is the only place looked at: a wrong setting is an error, not another model.
        if let variable = ProcessInfo.processInfo.environment[Self.modelsVariable], !variable.isEmpty {
            let url = URL(fileURLWithPath: variable).appendingPathComponent("\(Self.embeddedModelName)/model.safetensors")
            return FileManager.default.fileExists(atPath: url.path) ? url : nil
        }
        let folders = ([root] + Self.executableAncestors).map { $0.appendingPathComponent("Models") }
        return folders.map { $0.appendingPathComponent("\(Self.embeddedModelName)/model.safetensors") }
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// The weights to use: the given file, else the embedded model, with the name results cite.
    public func model(weights: String?, config: String? = nil) throws -> ExperimentModel {
        if let weights {
            return try ExperimentModel(clip: try CLIPModel(path: weights, configPath: config),
                                       name: URL(fileURLWithPath: weights).lastPathComponent, cache: featureCache, featureCode: featureSourceFingerprint)
        }
        guard let embedded = embeddedModel else {
            throw EngineError.invalidInput("no embedded model in $\(Self.modelsVariable), \(root.path)/Models/\(Self.embeddedModelName) or a Models/ folder above the executable: pass --weights FILE (OpenCLIP .safetensors)")
        }
        return try ExperimentModel(clip: try CLIPModel(path: embedded.path, configPath: config),
                                   name: "embedded \(Self.embeddedModelName) (Models/\(Self.embeddedModelName))", cache: featureCache,
                                   featureCode: featureSourceFingerprint)
    }

    /// The synthetic benchmark's folder for a seed and size, generated on first use by this engine: a folder made
    /// by other engine code is another folder (its name carries the engine's fingerprint), and is removed.
    public func syntheticData(seed: UInt64 = 0, size: Int = 256) throws -> String {
        let name = "seed-\(seed)-size-\(size)"
        let folder = cache.appendingPathComponent("synthetic")
        let path = folder.appendingPathComponent("\(name)-\(engineSourceFingerprint)").path
        // Written beside its place and renamed in, with its marker. These folders are inside the tool's own cache,
        // so one without the marker (a killed write, an earlier version) or of other code is removed.
        if !OwnedFolder.isOwned(URL(fileURLWithPath: path), by: "report data synth") {
            for old in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where old == name || old.hasPrefix(name + "-") {
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(old))
            }
            try SyntheticBenchmark(seed: seed, size: size).write(to: path)
        }
        return path
    }
}

extension Workspace {
    /// The control for a model: the same architecture with OpenCLIP's random initialisation from `seed`,
    /// written once by this engine under .report-cache/models/<engine fingerprint> (F16, as the shipped model is stored).
    public func randomControl(like model: ExperimentModel, seed: UInt64 = 0) throws -> ExperimentModel {
        let c = model.clip.configuration
        let name = "random-\(c.vision.imageHeight)px-p\(c.vision.patchSize)-w\(c.vision.width)-l\(c.vision.layers)-t\(c.text.width)x\(c.text.layers)-e\(c.embedDimension)-seed\(seed)"
        let models = cache.appendingPathComponent("models")
        let url = models.appendingPathComponent("\(engineSourceFingerprint)/\(name).safetensors")
        if !FileManager.default.fileExists(atPath: url.path) {
            // Controls the engine's earlier code made are of no further use.
            for old in (try? FileManager.default.contentsOfDirectory(atPath: models.path)) ?? [] where old != engineSourceFingerprint {
                try? FileManager.default.removeItem(at: models.appendingPathComponent(old))
            }
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try CLIPParameters(initialising: c, seed: seed).write(to: url, halfPrecision: true, metadata: ["origin": "random control, seed \(seed)"])
        }
        return try ExperimentModel(clip: try CLIPModel(path: url.path), name: "random weights (\(name))", cache: featureCache,
                                   featureCode: featureSourceFingerprint)
    }
}
