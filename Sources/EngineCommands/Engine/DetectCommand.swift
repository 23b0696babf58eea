import ArgumentParser
import Engine
import Figures
import Foundation
import ReportKit

/// `report detect`: DevPrompt (or PromptAD, WinCLIP+, the memory baseline) on a user's own parts: learn from a few
/// normal images, calibrate a threshold on views of them, then inspect other images whole, at their own resolution,
/// and say ok or defect for each; WinCLIP needs no normal image.
struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Learn from normal images of a part, then inspect other images: a verdict per image, overlays at the image's own resolution, maps, CSV and JSON.",
        discussion: """
        Every pixel of an image is inspected: an image much larger than the model's input, or not square, is cut into \
        overlapping square tiles (the normal images likewise), each seen as an image, their maps blended back (--tile). \
        The threshold is calibrated on views of the normal images the detector did not fit (their flips), or given \
        (--threshold). Exit codes: 0 whatever the verdicts (3 with --fail-on-defect when any image is a defect), \
        1 for a bad file or a failed run, 64 for bad flags.
        """)

    @OptionGroup var model: ModelOptions

    @Option(name: .customLong("normal"), help: "A normal image of the part; repeatable (one is enough; none with --method winclip).")
    var normals: [String] = []

    @Option(name: .customLong("image"), help: "An image to inspect; repeatable.")
    var images: [String]

    @Option(help: "Folder for <n>_<name>_overlay.png, <n>_<name>_map.npy, summary.csv and scores.json.")
    var out: String

    @Option(help: "What the part is called in the prompts (\"a photo of a damaged {name}\").")
    var className = "object"

    @OptionGroup var detector: DetectorOptions

    @Option(name: [.customLong("eval-size"), .customLong("size")], help: "Side in pixels of an untiled image's map before it is scaled to the image (as eval's --eval-size; --size is the older name).")
    var size = EvalCommand.defaults.evaluationSize

    @Option(help: "auto (tile an image more than twice the model's input on its longer side, or not square), off, or a tile side in pixels.")
    var tile: TileSetting = .auto

    @Option(help: "The score above which an image is a defect (default: calibrated on flips of the normal images; needed with --method winclip).")
    var threshold: Float?

    @Flag(help: "Exit 3 when any image is a defect, for scripts on a line (without it the exit code is 0 whatever the verdicts).")
    var failOnDefect = false

    @Flag(help: "Replace --out when it already holds files (its contents are replaced whole: no stale file stays).")
    var overwrite = false

    func validate() throws {
        if normals.isEmpty && detector.method != .winclip { throw ValidationError("give at least one --normal image (only --method winclip needs none)") }
        if !normals.isEmpty && detector.method == .winclip { throw ValidationError("--method winclip is zero-shot and uses no --normal image; winclip+ does") }
        if normals.isEmpty && threshold == nil { throw ValidationError("--method winclip has no normal image to calibrate on: give --threshold") }
        if let threshold, !threshold.isFinite { throw ValidationError("--threshold must be a number") }
        if images.isEmpty { throw ValidationError("give at least one --image to inspect") }
        if !(16...EvaluationMap.maxSize).contains(size) { throw ValidationError("--eval-size must be from 16 to \(EvaluationMap.maxSize) pixels") }
    }

    /// One inspected image: its map over every pixel, its score, and how it was seen.
    struct Inspection {
        var map: [Float]
        var score: Float
        var width: Int
        var height: Int
        var tiles: Int
        var region: String
    }

    func run() throws {
        let anyDefect = try reportingErrors("report detect") { () -> Bool in
            TerminalProgress.install()
            let workspace = Workspace.current
            // Checked first: a refused folder costs nothing, and the inputs may not live inside the output.
            let outFolder = try OwnedFolder(out, command: "report detect --out", protecting: normals + images + [model.weights, model.config].compactMap { $0 })
            if !overwrite, let held = try? FileManager.default.contentsOfDirectory(atPath: out), !held.isEmpty {
                throw EngineError.invalidInput("--out \(out) already holds \(held.count) file(s): pass --overwrite to replace them, or name a new folder")
            }
            let experimentModel = try model.load(workspace)
            printError("model: \(experimentModel.name)")
            let clip = experimentModel.clip
            var c = ExperimentConfiguration(dataset: .folder, className: className)
            detector.apply(to: &c.detector)
            // Every file is read before anything is written: a bad image stops the run with nothing half done.
            let normalImages = try normals.map(ImageFile.read).map { $0.rgb() }, testImages = try images.map(ImageFile.read).map { $0.rgb() }
            let input = max(clip.configuration.vision.imageWidth, clip.configuration.vision.imageHeight)
            func tiling(_ image: Image) -> Tiling? { tile.tiling(width: image.width, height: image.height, inputSide: input) }
            // The normal images are seen as the test images are: tiled the same way, each tile a shot.
            // Each with the side its map is made at, as a test image's: a tile's own side, or --eval-size.
            let shotViews = normalImages.flatMap { image in tiling(image).map { t in t.tiles.map { (t.crop(image, $0), t.side) } } ?? [(image, size)] }
            let shots = shotViews.map(\.0)
            let score = try c.method.isWinCLIP ? winCLIP(c, shots, experimentModel) : fewShot(c, shots, experimentModel)
            let v = clip.configuration.vision
            let decision: DefectThreshold
            if shots.isEmpty {
                decision = .given(threshold!)
            } else {
                let views = shotViews.flatMap { shot in DefectThreshold.flips(shot.0).map { ($0, shot.1) } }
                let calibration = ProgressTracker("calibrating on normal views", total: views.count)
                let seen = try views.map { view, side -> (Float, Float) in
                    defer { calibration.step() }
                    let (patches, s) = try score(view)
                    return (s, EvaluationMap.make(patchScores: patches, gridWidth: v.gridWidth, gridHeight: v.gridHeight, size: side).max() ?? 0)
                }
                decision = .calibrated(normalScores: seen.map(\.0), mapMaxima: seen.map(\.1), given: threshold)
            }
            let started = Date()
            let progress = ProgressTracker("inspecting images", total: testImages.count)
            let inspected = try testImages.map { image -> Inspection in
                defer { progress.step() }
                return try inspect(image, tiling: tiling(image), score: score, grid: (v.gridWidth, v.gridHeight), geometry: c.geometry)
            }
            let seconds = Date().timeIntervalSince(started)
            let tiles = inspected.reduce(0) { $0 + $1.tiles }
            printError(String(format: "inspected %d image(s) (%d view(s) of the model's input) in %.1f s: %.2f images/s", inspected.count, tiles, seconds,
                              Double(inspected.count) / max(seconds, 1e-9)))
            let verdicts = inspected.map { $0.score > decision.value }
            try outFolder.write { try write(inspected, verdicts: verdicts, threshold: decision, testImages: testImages, model: experimentModel, configuration: c, to: $0) }
            for (i, (inspection, defect)) in zip(inspected, verdicts).enumerated() {
                let (x, y) = Self.strongest(inspection)
                print(String(format: "%@  %.4f  (threshold %.4f)  %@  strongest at x %d, y %d", defect ? "defect" : "ok    ", Double(inspection.score),
                             Double(decision.value), images[i], x, y))
            }
            let defects = verdicts.filter { $0 }.count
            print("\(inspected.count) image(s): \(defects) defect, \(inspected.count - defects) ok; threshold \(String(format: "%.4f", Double(decision.value))), \(decision.how)")
            print("wrote overlays, maps, summary.csv and scores.json to \(out)")
            return defects > 0
        }
        if failOnDefect && anyDefect { throw ExitCode(3) }
    }

    /// An image's map over all its pixels and its score: tile by tile, or the whole image as the model sees it, scaled back.
    func inspect(_ image: Image, tiling: Tiling?, score: (Image) throws -> ([Float], Float), grid: (width: Int, height: Int),
                 geometry: InputGeometry) throws -> Inspection {
        if let tiling {
            var patchMaps: [Float] = [], best = -Float.infinity
            for t in tiling.tiles {
                let (patches, s) = try score(tiling.crop(image, t))
                patchMaps += patches
                best = max(best, s)
            }
            return Inspection(map: tiling.blend(patchMaps: patchMaps, gridWidth: grid.width, gridHeight: grid.height), score: best, width: image.width, height: image.height, tiles: tiling.tiles.count,
                              region: "every pixel: \(tiling.tiles.count) overlapping tiles of \(tiling.side) px, each seen as an image, their maps averaged where they overlap")
        }
        let (patches, s) = try score(image)
        let square = EvaluationMap.make(patchScores: patches, gridWidth: grid.width, gridHeight: grid.height, size: size)
        switch geometry {
        case .squash:
            let map = Resampling.resize(square, width: size, height: size, channels: 1, toWidth: image.width, toHeight: image.height, filter: .bilinear)
            return Inspection(map: map, score: s, width: image.width, height: image.height, tiles: 1,
                              region: "every pixel: the whole image resized to the model's square input, the map scaled back")
        case .centerCrop:
            // Only the centre square was seen: the rest of the image shows the map's lowest value.
            let side = min(image.width, image.height)
            let centre = Resampling.resize(square, width: size, height: size, channels: 1, toWidth: side, toHeight: side, filter: .bilinear)
            var map = [Float](repeating: centre.min() ?? 0, count: image.width * image.height)
            let x0 = (image.width - side) / 2, y0 = (image.height - side) / 2
            for row in 0..<side { for col in 0..<side { map[(y0 + row) * image.width + x0 + col] = centre[row * side + col] } }
            return Inspection(map: map, score: s, width: image.width, height: image.height, tiles: 1,
                              region: "the centre square only (--geometry center-crop without tiling); pass --tile auto to inspect every pixel")
        }
    }

    /// Where the map is highest, in the image's pixels.
    static func strongest(_ inspection: Inspection) -> (x: Int, y: Int) {
        let index = inspection.map.indices.max { inspection.map[$0] < inspection.map[$1] } ?? 0
        return (index % inspection.width, index / inspection.width)
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

    func write(_ inspected: [Inspection], verdicts: [Bool], threshold: DefectThreshold, testImages: [Image], model: ExperimentModel,
               configuration c: ExperimentConfiguration, to outURL: URL) throws {
        // One colour scale for the whole run, the threshold inside it, so overlays compare with each other.
        let low = inspected.compactMap { $0.map.min() }.min() ?? 0
        let high = max(inspected.compactMap { $0.map.max() }.max() ?? 1, threshold.region ?? -.infinity)
        var entries: [[String: Any]] = []
        var csv = "image,verdict,score,threshold,strongest_x,strongest_y,width,height,views,overlay,map\r\n"
        for (i, ((inspection, defect), image)) in zip(zip(inspected, verdicts), testImages).enumerated() {
            let stem = "\(i + 1)_" + ((images[i] as NSString).lastPathComponent as NSString).deletingPathExtension
            let (x, y) = Self.strongest(inspection)
            let headline = String(format: "%@  score %.4f %@ threshold %.4f", defect ? "DEFECT" : "ok", Double(inspection.score), defect ? ">" : "≤", Double(threshold.value))
            let outline = threshold.region.map { String(format: "outlined: map ≥ %.4f", Double($0)) } ?? "no region bound (no normal image)"
            let overlay = InspectionOverlay(image: image.pixels, map: inspection.map, width: image.width, height: image.height, range: low...high,
                                            threshold: threshold.region, defective: defect, headline: headline,
                                            detail: "strongest at x \(x), y \(y) · \(outline)")
            try FigureWriter.write(overlay, to: outURL.appendingPathComponent(stem + "_overlay.png").path, scale: InspectionOverlay.scale)
            try NumPyFile.write(inspection.map, shape: [image.height, image.width], to: outURL.appendingPathComponent(stem + "_map.npy"))
            entries.append(["path": images[i], "score": Double(inspection.score), "verdict": defect ? "defect" : "ok", "overlay": stem + "_overlay.png",
                            "map": stem + "_map.npy", "width": image.width, "height": image.height, "views": inspection.tiles,
                            "strongest": ["x": x, "y": y], "inspected": inspection.region])
            let name = images[i].contains(",") || images[i].contains("\"") ? "\"" + images[i].replacingOccurrences(of: "\"", with: "\"\"") + "\"" : images[i]
            csv += "\(name),\(defect ? "defect" : "ok"),\(String(format: "%.6f", Double(inspection.score))),\(String(format: "%.6f", Double(threshold.value))),\(x),\(y),\(image.width),\(image.height),\(inspection.tiles),\(stem)_overlay.png,\(stem)_map.npy\r\n"
        }
        let object: [String: Any] = [
            "model": ["name": model.name, "identity": model.identity], "method": c.method.rawValue, "settings": c.summary,
            "normal": normals, "images": entries, "colourScale": [Double(low), Double(high)],
            "threshold": ["value": Double(threshold.value), "region": threshold.region.map(Double.init) as Any, "how": threshold.how,
                          "normalScores": threshold.normalScores.map(Double.init), "normalMapMaxima": threshold.normalMapMaxima.map(Double.init)],
            "tile": tile.description]
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]),
                             to: outURL.appendingPathComponent("scores.json"))
        try AtomicFile.write(Data(csv.utf8), to: outURL.appendingPathComponent("summary.csv"))
    }
}
