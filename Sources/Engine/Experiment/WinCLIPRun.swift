// WinCLIP and WinCLIP+ as experiments: prompt ensembles for the class, window features from the
// feature cache (computed once per image, shared by both methods and every draw of shots), anomalib's scoring.
// **[choice]** the grid map then goes through the same upsampling and sigma-4 blur as every method (anomalib: no blur).
import Foundation

extension ExperimentRun {
    func winCLIPFeatures(_ path: String, windows: WinCLIPWindows) throws -> WinCLIPFeatures {
        let (features, hit) = try model.clip.cachedWinCLIPFeatures(file: path, windows: windows, geometry: c.geometry, cache: model.cache, identity: model.identity)
        if hit { hits += 1 } else { misses += 1 }
        return features
    }

    func executeWinCLIP(testSet: TestSetScoring? = nil) throws -> ExperimentResult {
        let v = model.clip.configuration.vision
        let windows = WinCLIPWindows(gridHeight: v.gridHeight, gridWidth: v.gridWidth)
        let shots = c.method.usesShots ? try shots() : []
        let text = try timed("text") { try WinCLIPPrompts.textEmbeddings(model.clip, name: PromptLearner.promptName(c.className)) }
        let shotFeatures = try timed("encode shots") { try shots.map { try winCLIPFeatures($0.path, windows: windows) } }
        let scorer = WinCLIPScorer(text: text, windows: windows, shots: shotFeatures)
        let progress = ProgressTracker("encoding test images (windows)", total: split.test.count)
        var images: [ScoredImage] = []
        for sample in split.test {
            let f = try timed("encode test") { try winCLIPFeatures(sample.path, windows: windows) }
            defer { progress.step() }
            let (score, map) = timed("score") { scorer.score(f) }
            images.append(ScoredImage(path: experiment.relative(sample.path), defect: sample.defect,
                                      mask: sample.mask.map(experiment.relative), score: score, patchMap: map))
        }
        return try finish(shots: shots, images: images, losses: [], testSet: testSet)
    }
}
