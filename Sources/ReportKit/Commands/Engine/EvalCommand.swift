import ArgumentParser
import Engine
import Foundation

extension DetectionMethod: ExpressibleByArgument {}
extension AnomalySource: ExpressibleByArgument {}
extension ContextInit: ExpressibleByArgument {}
extension InputGeometry: ExpressibleByArgument {}

/// `report eval`: one method on one dataset's classes, with the metrics the paper reports.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Run PromptAD, DevPrompt or the visual-memory baseline on a dataset's classes and print the metrics.")

    @Option(help: "mvtec, visa, folder or synthetic (the project's benchmark; generated under .report-cache on first use).")
    var dataset: DatasetKind

    @Option(help: "The dataset's root folder (not needed for synthetic).")
    var dataRoot: String?

    @Option(name: .customLong("class"), help: "A class to run; repeatable; 'all' runs every class found.")
    var classes: [String]

    @Option(help: "Normal training images per class (1: PromptAD's published pick on MVTec AD and VisA).")
    var shots = 1

    @OptionGroup var model: ModelOptions

    @OptionGroup var detector: DetectorOptions

    @Option(help: "Side of the evaluation maps in pixels (DevPrompt: 256; PromptAD: 400).")
    var evalSize = 256

    @Option(help: "Write each test image's anomaly map (float32 .npy at the evaluation size) and scores.json here.")
    var saveMaps: String?

    @Flag(help: "Run again even when this configuration's result is memoised.")
    var rerun = false

    @Flag(help: "Print JSON: {\"model\", \"dataset\", \"classes\": [{\"class\", \"imageAUROC\", \"pixelAUROC\", \"aupro\", \"f1max\", \"counts\", \"seconds\"}], \"mean\"}.")
    var json = false

    func validate() throws {
        if dataset != .synthetic && dataRoot == nil { throw ValidationError("--data-root is needed for --dataset \(dataset.rawValue)") }
        if shots < 1 { throw ValidationError("--shots must be at least 1") }
        if !(16...EvaluationMap.maxSize).contains(evalSize) { throw ValidationError("--eval-size must be from 16 to \(EvaluationMap.maxSize) pixels") }
        for name in classes where name != "all" {
            do { try ContainedPath.checkName(name, what: "--class") } catch { throw ValidationError("\(error)") }
        }
    }

    func configuration(_ className: String) -> ExperimentConfiguration {
        var c = ExperimentConfiguration(dataset: dataset, className: className)
        detector.apply(to: &c)
        c.shots = shots; c.evaluationSize = evalSize
        return c
    }

    func run() throws {
        try reportingErrors("report eval") {
            TerminalProgress.install()
            let workspace = Workspace.current
            let root = try dataRoot ?? workspace.syntheticData()
            let names = classes.contains("all") ? try AnomalyDataset(kind: dataset, root: root).classes() : classes
            if names.isEmpty {
                throw EngineError.invalidInput("\(root): no classes found for --class all (a class is a folder with train/good/ inside\(dataset == .visa ? ", or rows of split_csv/1cls.csv" : ""))")
            }
            // Checked before the first experiment runs: a refused folder costs nothing.
            let mapsFolder = try saveMaps.map { try OwnedFolder($0, command: "report eval --save-maps", protecting: [root]) }
            let experimentModel = try model.load(workspace)
            printError("model: \(experimentModel.name)")
            var results: [(ExperimentResult, Bool)] = []
            for name in names {
                let experiment = Experiment(configuration(name), dataRoot: root)
                let (result, memoised) = try experiment.run(model: experimentModel, store: workspace.experimentStore,
                                                            code: Engine.version + "+" + engineSourceFingerprint, rerun: rerun)
                results.append((result, memoised))
            }
            // The maps are written (or the write fails) before any result is printed as a success.
            if let mapsFolder { try mapsFolder.write { try MapExport.write(results.map(\.0), to: $0) } }
            if json {
                print(try Self.json(results, model: experimentModel, dataset: dataset, root: root))
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
        return String(format: "%@: image AUROC %.1f (95%% interval %.1f-%.1f), pixel AUROC %.1f, AUPRO %.1f, F1-max %.1f, in %% (%d normal, %d defective; %.1f s%@)",
                      r.configuration.className, m.imageAUROC * 100, m.imageAUROCInterval[0] * 100, m.imageAUROCInterval[1] * 100,
                      m.pixelAUROC * 100, m.aupro * 100, m.f1max * 100, r.normalCount, r.defectiveCount, time, memoised ? ", memoised" : "")
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

/// The detector's settings, shared by eval and detect.
struct DetectorOptions: ParsableArguments {
    @Option(help: "promptad, devprompt or memory.")
    var method: DetectionMethod = .devprompt

    @Option(help: "Seed of the shots, prompts and synthesised anomalies.")
    var seed: UInt64 = 111

    @Option(help: "Prompt-learning epochs (PromptAD: 100).")
    var epochs = 100

    @Option(name: .customLong("lambda"), help: "DevPrompt's deviation coefficient lambda (Eq. 8).")
    var lambda: Float = 1

    @Option(name: .customLong("topk"), help: "DevPrompt's Top-K MIL fraction of the patches.")
    var topK: Float = 0.1

    @Option(help: "DevPrompt's margin a (Eq. 8).")
    var margin: Float = 5

    @Option(help: "DevPrompt's anomalous training images: cutpaste (from the normal shot) or none (normal term only).")
    var anomalies: AnomalySource = .cutpaste

    @Option(parsing: .upToNextOption, help: "Blocks (1-based) whose patch tokens the visual memory keeps; default: PromptAD's 3 and 8 of 12, scaled to the model's depth.")
    var taps: [Int] = []

    @Option(help: "Where the learnable context starts: random (PromptAD's code) or words (\"a photo of a\", CoOp's ctx_init).")
    var contextInit: ContextInit = .random

    @Option(help: "Which pixels the detector, its maps and the masks cover: squash (the whole image resized to a square, as PromptAD's code) or center-crop (open_clip's transform).")
    var geometry: InputGeometry = .squash

    func validate() throws {
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if taps.contains(where: { $0 < 1 }) { throw ValidationError("--taps are block numbers, from 1") }
        if !(topK > 0 && topK <= 1) { throw ValidationError("--topk is a fraction of the patches, in (0, 1]") }
        if !(margin > 0 && margin.isFinite) { throw ValidationError("--margin is a positive number of standard deviations (the paper's a: 1 to 9)") }
        if !(lambda >= 0 && lambda.isFinite) { throw ValidationError("--lambda is a non-negative number (the paper: 1, 0.1, 0.01)") }
    }

    func apply(to c: inout ExperimentConfiguration) {
        c.method = method; c.seed = seed; c.epochs = epochs; c.lambda = lambda; c.topK = topK; c.margin = margin; c.anomalies = anomalies
        c.contextInit = contextInit; c.geometry = geometry
        if !taps.isEmpty { c.taps = taps.sorted() }
    }
}

/// The options that choose the weights, shared by eval and detect.
struct ModelOptions: ParsableArguments {
    @Option(help: "OpenCLIP weights (.safetensors); default: the embedded model.")
    var weights: String?

    @Option(help: "JSON for what the weights' shapes cannot tell (activation, image_size).")
    var config: String?

    func load(_ workspace: Workspace) throws -> ExperimentModel {
        try workspace.model(weights: weights, config: config)
    }
}
