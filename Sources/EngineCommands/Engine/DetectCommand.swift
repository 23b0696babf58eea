import ArgumentParser
import Engine
import Figures
import Foundation
import ReportKit

/// `report detect`: DevPrompt (or PromptAD, WinCLIP+, the memory baseline) on a user's own parts: learn
/// from a few normal images, then score others, writing heatmap overlays and scores; WinCLIP needs no normal image.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Learn from normal images of a part, then write anomaly heatmaps (PNG, .npy) and scores (JSON) for other images.")

    @OptionGroup var model: ModelOptions

    @Option(name: .customLong("normal"), help: "A normal image of the part; repeatable (one is enough; none with --method winclip).")
    var normals: [String] = []

    @Option(name: .customLong("image"), help: "An image to inspect; repeatable.")
    var images: [String]

    @Option(help: "Folder for <n>_<name>_overlay.png, <n>_<name>_map.npy and scores.json.")
    var out: String

    @Option(help: "What the part is called in the prompts (\"a photo of a damaged {name}\").")
    var className = "object"

    @OptionGroup var detector: DetectorOptions

    @Option(name: [.customLong("eval-size"), .customLong("size")], help: "Side of the heatmaps in pixels (as eval's --eval-size; --size is the older name).")
    var size = EvalCommand.defaults.evaluationSize

    func validate() throws {
        if normals.isEmpty && detector.method != .winclip { throw ValidationError("give at least one --normal image (only --method winclip needs none)") }
        if !normals.isEmpty && detector.method == .winclip { throw ValidationError("--method winclip is zero-shot and uses no --normal image; winclip+ does") }
        if images.isEmpty { throw ValidationError("give at least one --image to inspect") }
        if !(16...EvaluationMap.maxSize).contains(size) { throw ValidationError("--eval-size must be from 16 to \(EvaluationMap.maxSize) pixels") }
    }

    func run() throws {
        try reportingErrors("report detect") {
            TerminalProgress.install()
            let workspace = Workspace.current
            // Checked first: a refused folder costs nothing, and the inputs may not live inside the output.
            let outFolder = try OwnedFolder(out, command: "report detect --out", protecting: normals + images + [model.weights, model.config].compactMap { $0 })
            let experimentModel = try model.load(workspace)
            printError("model: \(experimentModel.name)")
            let clip = experimentModel.clip
            var c = ExperimentConfiguration(dataset: .folder, className: className)
            detector.apply(to: &c.detector)
            // Every file is read before anything is written: a bad image stops the run with nothing half done.
            let normalImages = try normals.map(ImageFile.read), testImages = try images.map(ImageFile.read)
            let score = try c.method.isWinCLIP ? winCLIP(c, normalImages, experimentModel) : fewShot(c, normalImages, experimentModel)
            let progress = ProgressTracker("scoring images", total: testImages.count)
            let v = clip.configuration.vision
            let scored = try testImages.map { image -> (map: [Float], score: Float) in
                defer { progress.step() }
                let (grid, score) = try score(image)
                return (EvaluationMap.make(patchScores: grid, gridWidth: v.gridWidth, gridHeight: v.gridHeight, size: size), score)
            }
            try outFolder.write { try write(scored, testImages: testImages, model: experimentModel, configuration: c, to: $0) }
            print("wrote \(scored.count) overlays and scores.json to \(out)")
        }
    }

    /// DevPrompt, PromptAD or the memory, fitted on the normal images: image -> (grid map, score).
    func fewShot(_ c: ExperimentConfiguration, _ normalImages: [Image], _ model: ExperimentModel) throws -> (Image) throws -> ([Float], Float) {
        let clip = model.clip
        let taps = c.resolvedTaps(layers: clip.configuration.vision.layers)
        func features(_ image: Image) throws -> VisionOutput {
            try clip.cachedVisionFeatures(image: image, surgery: true, taps: taps, geometry: c.geometry, cache: model.cache, identity: model.identity).output
        }
        let made = try FewShotDetector.anomalies(from: normalImages, configuration: c, encode: features)
        let detector = try FewShotDetector(configuration: c, model: clip, taps: taps).fit(shots: try normalImages.map(features), anomalies: made)
        return { image in let (grid, score) = detector.score(try features(image)); return (grid, score) }
    }

    /// WinCLIP (no normal image) or WinCLIP+ (the normal images as its memories): image -> (grid map, score).
    func winCLIP(_ c: ExperimentConfiguration, _ normalImages: [Image], _ model: ExperimentModel) throws -> (Image) throws -> ([Float], Float) {
        let clip = model.clip, v = clip.configuration.vision
        let windows = WinCLIPWindows(gridHeight: v.gridHeight, gridWidth: v.gridWidth)
        func features(_ image: Image) throws -> WinCLIPFeatures {
            try clip.cachedWinCLIPFeatures(image: image, windows: windows, geometry: c.geometry, cache: model.cache, identity: model.identity).features
        }
        let text = try WinCLIPPrompts.textEmbeddings(clip, name: PromptLearner.promptName(c.className))
        let scorer = WinCLIPScorer(text: text, windows: windows, shots: try normalImages.map(features))
        return { image in let (score, grid) = scorer.score(try features(image)); return (grid, score) }
    }

    func write(_ scored: [(map: [Float], score: Float)], testImages: [Image], model: ExperimentModel, configuration c: ExperimentConfiguration,
               to outURL: URL) throws {
        // One colour scale for the whole run, so overlays compare with each other.
        let low = scored.flatMap(\.map).min() ?? 0, high = scored.flatMap(\.map).max() ?? 1
        var entries: [[String: Any]] = []
        for (i, ((map, score), image)) in zip(scored, testImages).enumerated() {
            let stem = "\(i + 1)_" + ((images[i] as NSString).lastPathComponent as NSString).deletingPathExtension
            let overlay = Self.overlay(map, on: c.geometry.view(image, side: size), range: low...high)
            try AtomicFile.write(try PNGCodec.encode(overlay), to: outURL.appendingPathComponent(stem + "_overlay.png"))
            try NumPyFile.write(map, shape: [size, size], to: outURL.appendingPathComponent(stem + "_map.npy"))
            entries.append(["path": images[i], "score": Double(score), "overlay": stem + "_overlay.png", "map": stem + "_map.npy"])
        }
        let object: [String: Any] = [
            "model": ["name": model.name, "identity": model.identity], "method": c.method.rawValue, "settings": c.summary,
            "normal": normals, "images": entries, "colourScale": [Double(low), Double(high)],
            "region": c.geometry == .squash ? "maps cover the whole image, resized to a square" : "maps cover the image's centre square"]
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]),
                             to: outURL.appendingPathComponent("scores.json"))
    }

    /// The map in jet over the image, half and half.
    static func overlay(_ map: [Float], on image: Image, range: ClosedRange<Float>) -> Image {
        var out = image
        let span = max(range.upperBound - range.lowerBound, 1e-12)
        for p in 0..<(image.width * image.height) {
            let colour = Colormap.jet.color(Double((map[p] - range.lowerBound) / span))
            for (c, value) in [colour.red, colour.green, colour.blue].enumerated() {
                out.pixels[p * 3 + c] = 0.5 * image.pixels[p * 3 + c] + 0.5 * Float(value)
            }
        }
        return out
    }
}
