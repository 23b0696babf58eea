// WinCLIP and WinCLIP+ as experiments: prompt ensembles for the class, window features from the
// feature cache (computed once per image, shared by both methods and every draw of shots), anomalib's scoring.
// **[choice]** the grid map then goes through the same upsampling and sigma-4 blur as every method (anomalib: no blur).
import Foundation

extension ExperimentRun {
    func winCLIPFeatures(_ path: String, tile: Tiling.Tile? = nil, windows: WinCLIPWindows) throws -> WinCLIPFeatures {
        let (features, hit) = try model.clip.cachedWinCLIPFeatures(file: path, tile: tile, windows: windows, geometry: c.geometry,
                                                                   cache: model.cache, identity: model.identity)
        if hit { hits += 1 } else { misses += 1 }
        return features
    }

    func executeWinCLIP(testSet: TestSetScoring? = nil) throws -> ExperimentResult {
        let v = model.clip.configuration.vision
        let windows = WinCLIPWindows(gridHeight: v.gridHeight, gridWidth: v.gridWidth)
        let shots = c.method.usesShots ? try shots() : []
        let text = try timed("text") { try WinCLIPPrompts.textEmbeddings(model.clip, name: PromptLearner.promptName(c.className)) }
        let shotFeatures = try timed("encode shots") {
            try shots.flatMap { shot in try views(try tiling(shot.path)).map { try winCLIPFeatures(shot.path, tile: $0, windows: windows) } }
        }
        let scorer = WinCLIPScorer(text: text, windows: windows, shots: shotFeatures)
        let progress = ProgressTracker("encoding test images (windows)", total: split.test.count)
        var images: [ScoredImage] = []
        for sample in split.test {
            let tiling = try tiling(sample.path)
            let features = try timed("encode test") { try views(tiling).map { try winCLIPFeatures(sample.path, tile: $0, windows: windows) } }
            defer { progress.step() }
            let scored = timed("score") { features.map { scorer.score($0) } }
            images.append(ScoredImage(path: experiment.relative(sample.path), defect: sample.defect, mask: sample.mask.map(experiment.relative),
                                      score: scored.map(\.score).max()!, patchMap: scored.flatMap(\.map), tiling: tiling))
        }
        return try finish(shots: shots, images: images, losses: [], testSet: testSet)
    }
}
