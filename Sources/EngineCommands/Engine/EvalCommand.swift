import ArgumentParser
import Engine
import Foundation
import ReportKit

extension DetectionMethod: ExpressibleByArgument {}
extension AnomalySource: ExpressibleByArgument {}
extension ContextInit: ExpressibleByArgument {}
extension InferenceMap: ExpressibleByArgument {}
extension InputGeometry: ExpressibleByArgument {}
extension TileSetting: ExpressibleByArgument {}

/// `--anomaly-token before|after`: the flag's words for `DetectorSettings.anomalyTokenBeforeClass`.
enum AnomalyTokenPosition: String, ExpressibleByArgument { case before, after }

/// `report eval`: one method on one dataset's classes, with the metrics the paper reports.
struct EvalCommand: ParsableCommand {
    static let defaults = ExperimentConfiguration(dataset: .synthetic, className: "defaults")
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run DevPrompt, PromptAD, WinCLIP, WinCLIP+ or the visual-memory baseline on a dataset's classes and print the metrics.")

    @Option(help: "mvtec, visa, folder or synthetic (the project's benchmark; generated under .report-cache on first use).")
    var dataset: DatasetKind?

    @Option(help: "The dataset's root folder (not needed for synthetic).")
    var dataRoot: String?

    @Option(name: .customLong("class"), help: "A class to run; repeatable; 'all' runs every class found.")
    var classes: [String] = []

    @Option(help: "Normal training images per class (default: \(Self.defaults.shots); with 1, PromptAD's published pick on MVTec AD and VisA).")
    var shots: Int?

    @OptionGroup var model: ModelOptions

    @OptionGroup var detector: DetectorOptions

    @Option(help: "Side of the evaluation maps in pixels (default: \(Self.defaults.evaluationSize), as DevPrompt; PromptAD: 400).")
    var evalSize: Int?

    @Option(help: "off (default: each image resized whole to the model's input, as the paper does), auto (tiles for an image more than twice the model's input or not square), or a tile side in pixels: overlapping square tiles of the original image, each seen as an image, the shots tiled alike, the maps blended back.")
    var tile: TileSetting?

    @Option(help: "Run the configuration in this JSON file (what --print-config prints, or an experiment record with a \"configuration\"); the flags given change it.")
    var config: String?

    @Flag(help: "Print the configuration(s) this command would run, as JSON, and stop.")
    var printConfig = false

    @Option(help: "Write each test image's anomaly map (float32 .npy at the evaluation size) and scores.json here.")
    var saveMaps: String?

    @Flag(help: "Run again even when this configuration's result is memoised.")
    var rerun = false

    @Flag(help: "Print JSON: {\"model\", \"dataset\", \"classes\": [{\"class\", \"imageAUROC\", \"pixelAUROC\", \"aupro\", \"f1max\", \"counts\", \"seconds\"}], \"mean\"}; metrics in 0-1.")
    var json = false

    func validate() throws {
        if config == nil && dataset == nil { throw ValidationError("give --dataset (or --config FILE)") }
        if config == nil && classes.isEmpty { throw ValidationError("give --class NAME or --class all (or --config FILE)") }
        if let shots, shots < 1 { throw ValidationError("--shots must be at least 1") }
        if let evalSize, !(16...EvaluationMap.maxSize).contains(evalSize) { throw ValidationError("--eval-size must be from 16 to \(EvaluationMap.maxSize) pixels") }
        for name in classes where name != "all" {
            do { try ContainedPath.checkName(name, what: "--class") } catch { throw ValidationError("\(error)") }
        }
    }

    /// The configurations read from --config, if any: what --print-config prints (one object, or a list for several
    /// classes), or any JSON holding one under "configuration" (an experiment record).
    func baseConfigurations() throws -> [ExperimentConfiguration]? {
        guard let config else { return nil }
        guard let data = FileManager.default.contents(atPath: config) else { throw EngineError.unreadable(config, "no such file") }
        let decoder = JSONDecoder()
        struct Holder: Decodable { var configuration: ExperimentConfiguration }
        let json = try? JSONSerialization.jsonObject(with: data)
        do {
            if json is [Any] { return try decoder.decode([ExperimentConfiguration].self, from: data) }
            if let object = json as? [String: Any], object["configuration"] != nil { return [try decoder.decode(Holder.self, from: data).configuration] }
            return [try decoder.decode(ExperimentConfiguration.self, from: data)]
        } catch {
            throw EngineError.corrupt(config, "not an experiment configuration (\(error))")
        }
    }

    /// `base` (from --config) or the defaults, with the flags that were given applied, checked.
    func configuration(_ className: String, base: ExperimentConfiguration?) throws -> ExperimentConfiguration {
        guard let kind = dataset ?? base?.dataset else { throw EngineError.invalidInput("give --dataset") }
        var c = base ?? ExperimentConfiguration(dataset: kind, className: className)
        c.dataset = kind; c.className = className
        detector.apply(to: &c.detector)
        if let shots { c.shots = shots }
        if let evalSize { c.evaluationSize = evalSize }
        if let tile { c.tile = tile }
        try c.validate()
        return c
    }

    func run() throws {
        try reportingErrors("report eval") {
            TerminalProgress.install()
            let workspace = Workspace.current
            let bases = try baseConfigurations()
            guard let kind = dataset ?? bases?.first?.dataset else { throw EngineError.invalidInput("\(config ?? "--config"): holds no configuration") }
            if kind != .synthetic && dataRoot == nil { throw EngineError.invalidInput("--data-root is needed for --dataset \(kind.rawValue)") }
            let root = try dataRoot ?? workspace.syntheticData()
            let configurations: [ExperimentConfiguration]
            if classes.isEmpty, let bases {
                configurations = try bases.map { try configuration($0.className, base: $0) }
            } else {
                let names = classes.contains("all") ? try AnomalyDataset(kind: kind, root: root).classes() : classes
                if names.isEmpty {
                    throw EngineError.invalidInput("\(root): no classes found for --class all (a class is a folder with train/good/ inside\(kind == .visa ? ", or rows of split_csv/1cls.csv" : ""))")
                }
                configurations = try names.map { try configuration($0, base: bases?.first) }
            }
            if printConfig {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                let data = configurations.count == 1 ? try encoder.encode(configurations[0]) : try encoder.encode(configurations)
                print(String(decoding: data, as: UTF8.self))
                return
            }
            // Checked before the first experiment runs: a refused folder costs nothing.
            let mapsFolder = try saveMaps.map {
                try OwnedFolder($0, command: "report eval --save-maps", protecting: [root] + [model.weights, model.config, config].compactMap { $0 })
            }
            let experimentModel = try model.load(workspace)
            printError("model: \(experimentModel.name)")
            var results: [(ExperimentResult, Bool)] = []
            for c in configurations {
                let experiment = Experiment(c, dataRoot: root)
                let (result, memoised) = try experiment.run(model: experimentModel, store: workspace.experimentStore,
                                                            code: ReportInputs.code, rerun: rerun)
                results.append((result, memoised))
            }
            // The maps are written (or the write fails) before any result is printed as a success.
            if let mapsFolder { try mapsFolder.write { try MapExport.write(results.map(\.0), to: $0) } }
            if json {
                print(try Self.json(results, model: experimentModel, dataset: kind, root: root))
            } else {
                for (result, memoised) in results { print(Self.line(result, memoised: memoised)) }
                if results.count > 1 {
                    let mean = Self.mean(results.map(\.0))
                    print(String(format: "mean of %d classes: image AUROC %.1f, pixel AUROC %.1f, AUPRO %.1f, F1-max %.1f (%%)",
                                 results.count, mean["imageAUROC"]! * 100, mean["pixelAUROC"]! * 100, mean["aupro"]! * 100, mean["f1max"]! * 100))
                }
                if let saveMaps { print("wrote the maps and scores.json to \(saveMaps)") }
            }
        }
    }

    static func line(_ r: ExperimentResult, memoised: Bool) -> String {
        let m = r.metrics
        let time = r.seconds.values.reduce(0, +)
        // What was seen: said only when --tile cut some image into tiles.
        let tiled = r.images.compactMap(\.tiling)
        let seen = tiled.isEmpty ? "" : "; \(tiled.count) image(s) seen in \(tiled.reduce(0) { $0 + $1.tiles.count }) overlapping tiles"
        return String(format: "%@: image AUROC %.1f (95%% interval %.1f-%.1f), pixel AUROC %.1f, AUPRO %.1f, F1-max %.1f, in %% (%d normal, %d defective%@; %.1f s%@)",
                      r.configuration.className, m.imageAUROC * 100, m.imageAUROCInterval[0] * 100, m.imageAUROCInterval[1] * 100,
                      m.pixelAUROC * 100, m.aupro * 100, m.f1max * 100, r.normalCount, r.defectiveCount, seen, time, memoised ? ", memoised" : "")
    }

    static func mean(_ results: [ExperimentResult]) -> [String: Double] {
        func average(_ value: (ExperimentMetrics) -> Double) -> Double { results.map { value($0.metrics) }.reduce(0, +) / Double(results.count) }
        return ["imageAUROC": average(\.imageAUROC), "pixelAUROC": average(\.pixelAUROC), "aupro": average(\.aupro),
                "f1max": average(\.f1max), "pixelF1max": average(\.pixelF1max)]
    }

    static func json(_ results: [(ExperimentResult, Bool)], model: ExperimentModel, dataset: DatasetKind, root: String) throws -> String {
        let classes: [[String: Any]] = results.map { r, memoised in
            ["class": r.configuration.className, "imageAUROC": r.metrics.imageAUROC, "pixelAUROC": r.metrics.pixelAUROC,
             "aupro": r.metrics.aupro, "f1max": r.metrics.f1max, "pixelF1max": r.metrics.pixelF1max,
             "imageAUROCInterval": r.metrics.imageAUROCInterval,
             "counts": ["normal": r.normalCount, "defective": r.defectiveCount, "shots": r.shots.count],
             "shots": r.shots, "seconds": r.seconds, "memoised": memoised,
             "featureCache": ["hits": r.cacheHits, "misses": r.cacheMisses], "finalLoss": r.losses.last.map { Double($0) as Any } ?? NSNull()]
        }
        let configuration = try JSONSerialization.jsonObject(with: JSONEncoder().encode(results.first?.0.configuration))
        let object: [String: Any] = [
            "model": ["name": model.name, "identity": model.identity, "architecture": model.clip.configuration.summary],
            "dataset": dataset.rawValue, "dataRoot": root, "configuration": configuration,
            "classes": classes, "mean": results.isEmpty ? [:] : mean(results.map(\.0))]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]), as: UTF8.self)
    }
}

/// The detector's settings, shared by eval and detect: each applied only when given, over the
/// configuration's own (from `--config`, or `DetectorSettings`' defaults, written once there).
struct DetectorOptions: ParsableArguments {
    static let defaults = DetectorSettings()

    @Option(help: "devprompt, promptad, memory (PatchCore-style, on CLIP features), winclip (zero-shot) or winclip+ (default: \(defaults.method.rawValue)).")
    var method: DetectionMethod?

    @Option(help: "Seed of the shots, prompts and synthesised anomalies (default: \(defaults.seed)).")
    var seed: UInt64?

    @Option(help: "Prompt-learning epochs (default: \(defaults.epochs), as PromptAD).")
    var epochs: Int?

    @Option(name: .customLong("lambda"), help: "DevPrompt's deviation coefficient lambda, Eq. 8 (default: \(defaults.lambda)).")
    var lambda: Float?

    @Option(name: .customLong("topk"), help: "DevPrompt's Top-K MIL fraction of the patches (default: \(defaults.topK)).")
    var topK: Float?

    @Option(help: "DevPrompt's margin a in standard deviations, Eq. 8 (default: \(defaults.margin)).")
    var margin: Float?

    @Option(help: "DevPrompt's anomalous training images: cutpaste (from the normal shot) or none (normal term only; default: \(defaults.anomalies.rawValue)).")
    var anomalies: AnomalySource?

    @Option(help: "DevPrompt's pixel map: deviation (d / (d + a) of the deviation map, fused with the visual memory) or text (PromptAD's text map from the prompts trained with the deviation term, fused; default: \(defaults.inferenceMap.rawValue)).")
    var inferenceMap: InferenceMap?

    @Option(parsing: .upToNextOption, help: "Blocks (1-based) whose patch tokens the visual memory keeps; default: PromptAD's 3 and 8 of 12, scaled to the model's depth.")
    var taps: [Int] = []

    @Option(help: "Where the learnable context starts: random (PromptAD's code) or words (\"a photo of a\", CoOp's ctx_init; default: \(defaults.contextInit.rawValue)).")
    var contextInit: ContextInit?

    @Option(help: "Where the learned anomaly token stands: before the class name (PromptAD's code) or after it (PromptAD's paper; default: \(defaults.anomalyTokenBeforeClass ? "before" : "after")).")
    var anomalyToken: AnomalyTokenPosition?

    @Option(help: "Which pixels the detector, its maps and the masks cover: squash (the whole image resized to a square, as PromptAD's code) or center-crop (open_clip's transform; default: \(defaults.geometry.rawValue)).")
    var geometry: InputGeometry?

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if taps.contains(where: { $0 < 1 }) { throw ValidationError("--taps are block numbers, from 1") }
        if let topK, !(topK > 0 && topK <= 1) { throw ValidationError("--topk is a fraction of the patches, in (0, 1]") }
        if let margin, !(margin > 0 && margin.isFinite) { throw ValidationError("--margin is a positive number of standard deviations (the paper's a: 1 to 9)") }
        if let lambda, !(lambda >= 0 && lambda.isFinite) { throw ValidationError("--lambda is a non-negative number (the paper: 1, 0.1, 0.01)") }
    }

    func apply(to d: inout DetectorSettings) {
        if let method { d.method = method }
        if let seed { d.seed = seed }
        if let epochs { d.epochs = epochs }
        if let lambda { d.lambda = lambda }
        if let topK { d.topK = topK }
        if let margin { d.margin = margin }
        if let anomalies { d.anomalies = anomalies }
        if let inferenceMap { d.inferenceMap = inferenceMap }
        if let contextInit { d.contextInit = contextInit }
        if let geometry { d.geometry = geometry }
        if let anomalyToken { d.anomalyTokenBeforeClass = anomalyToken == .before }
        if !taps.isEmpty { d.taps = taps.sorted() }
    }
}

/// The options that choose the weights, shared by eval and detect.
struct ModelOptions: ParsableArguments {
    @Option(help: "OpenCLIP weights (.safetensors); default: the embedded model.")
    var weights: String?

    @Option(name: .customLong("model-config"), help: "JSON for what the weights' shapes cannot tell (activation, image_size, heads); default: beside the weights.")
    var config: String?

    func load(_ workspace: Workspace) throws -> ExperimentModel {
        try workspace.model(weights: weights, config: config)
    }
}
