// The three few-shot detectors behind one face: fit on the shots' frozen features, which gives a
// `FittedDetector` that scores test images (so scoring an unfitted detector cannot compile).
// Memory: the visual map alone. PromptAD: learned prompts' text map fused with the visual map.
// DevPrompt: PromptAD's training plus the deviation term; its text map (or its deviation map) fused.
import Foundation

public struct FewShotDetector {
    public let configuration: ExperimentConfiguration
    public let model: CLIPModel
    public let taps: [Int]

    public init(configuration: ExperimentConfiguration, model: CLIPModel, taps: [Int]) {
        self.configuration = configuration; self.model = model; self.taps = taps
    }

    func unitRows(_ flat: [Float]) -> [[Float]] { Vector.unitRows(flat, width: model.configuration.embedDimension) }

    /// `shots`: the normal shots' features (V-V tokens and taps); `anomalies`: synthesised anomalous
    /// images' features (DevPrompt's y = 1 samples). The fitted detector keeps the segmentation loss before each epoch's update.
    public func fit(shots: [VisionOutput], anomalies: [VisionOutput] = []) throws -> FittedDetector {
        switch try prepare(shots: shots, anomalies: anomalies) {
        case .fitted(let detector): return detector
        case .training(let training):
            var trainings = [training]
            try PromptTraining.run(&trainings)
            return try trainings[0].finish()
        }
    }

    /// What fitting needs: nothing to learn (the memory), or prompt training to run, alone or with others'.
    public enum Preparation {
        case fitted(FittedDetector)
        case training(PromptTraining)
    }

    public func prepare(shots: [VisionOutput], anomalies: [VisionOutput] = []) throws -> Preparation {
        let c = configuration
        guard !shots.isEmpty else { throw EngineError.invalidInput("no normal shots to learn from") }
        guard !c.method.isWinCLIP else { throw EngineError.invalidInput("\(c.method.rawValue) is not a few-shot prompt detector: run it through Experiment") }
        let memory = VisualMemory(shots: shots.map { f in taps.map { f.taps[$0]! } }, widths: taps.map { _ in model.configuration.vision.width })
        let fitted = { (head: FittedDetector.Head, losses: [Float]) in
            FittedDetector(configuration: c, taps: self.taps, embedDimension: self.model.configuration.embedDimension, memory: memory, head: head, losses: losses)
        }
        guard c.method != .memory else { return .fitted(fitted(.memory, [])) }
        // Segmentation prompts learn from the shots' V-V tokens, classification prompts from their
        // pooled embeddings: PromptAD trains the two apart. **[choice]** one classification prompt set, not PromptAD's three.
        let patches = shots.flatMap { unitRows($0.valueValueTokens!) }
        let pooled = shots.map { Vector.normalized($0.embedding) }
        var deviation: PromptADLoss.DeviationTerm? = nil
        var reference = (mean: Float(0), std: Float(1))
        if c.method == .devprompt {
            let loss = DeviationLoss(lambda: c.lambda, margin: c.margin)
            reference = loss.reference(seed: c.seed)
            let images = shots.map { (unitRows($0.valueValueTokens!), false) } + anomalies.map { (unitRows($0.valueValueTokens!), true) }
            deviation = PromptADLoss.DeviationTerm(loss: loss, topK: TopKMIL(fraction: c.topK), reference: reference, images: images)
        }
        let scale = model.weights.logitScale
        let words = c.contextInit == .words ? Self.contextWords(model, count: 4) : nil
        func trainer(seed: UInt64) -> PromptTrainer {
            PromptTrainer(text: model.text, tokenizer: model.tokenizer,
                          learner: PromptLearner(className: c.className, width: model.configuration.text.width, seed: seed,
                                                 anomalyPrompts: c.learnedPrompts, anomalyTokenBeforeClass: c.anomalyTokenBeforeClass,
                                                 contextWords: words),
                          optimizer: SGD(learningRate: c.learningRate), loss: PromptADLoss(scale: scale))
        }
        // The classification learner depends on neither the deviation term nor the method: experiments that
        // share its inputs share one learner when they train together (PromptAD's and DevPrompt's image scores are equal).
        // Identities are digests of the settings' text and the inputs' bytes.
        func digest(_ text: String, _ rows: [[Float]]...) -> String {
            var data = Data(text.utf8)
            for part in rows { for row in part { row.withUnsafeBytes { data.append(contentsOf: $0) } } }
            return FileDigests.sha256(data)
        }
        let identity = digest("\(c.className)|\(c.seed)|\(c.epochs)|\(c.learningRate)|\(c.learnedPrompts)|\(c.anomalyTokenBeforeClass)|\(c.contextInit.rawValue)|", pooled)
        // The segmentation learner depends on the classification learner's inputs and on the deviation term, not on
        // the inference map: DevPrompt's two readings share one training.
        var segmentation = identity + "|\(c.method.rawValue)|"
        if let deviation {
            segmentation += String(format: "lambda %a topK %a margin %a|", c.lambda, c.topK, c.margin) + deviation.images.map { "\($0.anomalous)" }.joined()
        }
        let segmentationIdentity = digest(segmentation, patches, deviation?.images.flatMap(\.patches) ?? [])
        let method = c.method
        // The classification learner's start is a seed far from the next draws' (draw d is seed + d), so no two learners start alike.
        return .training(PromptTraining(trainers: [trainer(seed: c.seed), trainer(seed: c.seed &+ 0x9E37_79B9_7F4A_7C15)], patches: [patches, pooled],
                                        deviations: [deviation, nil], epochs: c.epochs, classificationIdentity: identity,
                                        segmentationIdentity: segmentationIdentity) { trainers, losses in
            let segmentation = try Self.scorer(trainers[0], scale: scale), classification = try Self.scorer(trainers[1], scale: scale)
            return fitted(method == .devprompt ? .devprompt(segmentation: segmentation, classification: classification, reference: reference)
                                               : .promptad(segmentation: segmentation, classification: classification), losses)
        })
    }

    /// DevPrompt's anomalous training images (reading (b) of docs/method-notes.md section 6): `anomaliesPerShot`
    /// CutPaste images from each shot, seeded by the configuration's seed and the shot's index, then
    /// encoded by `encode`; none for the other methods or with `anomalies: none`.
    public static func anomalies(from shots: [Image], configuration c: ExperimentConfiguration,
                                 encode: (Image) throws -> VisionOutput) throws -> [VisionOutput] {
        guard c.method == .devprompt && c.anomalies == .cutpaste else { return [] }
        return try shots.enumerated().flatMap { i, shot in
            try CutPaste.synthesize(shot, count: c.anomaliesPerShot, seed: c.seed &+ UInt64(i)).map { try encode($0.image) }
        }
    }

    /// The token embeddings of "a photo of a", the context's start with `ContextInit.words`.
    static func contextWords(_ model: CLIPModel, count: Int) -> [[Float]] {
        let ids = model.tokenizer.encode("a photo of a")
        precondition(ids.count == count, "\"a photo of a\" is \(ids.count) tokens, not \(count)")
        return ids.map { model.text.embedding(of: $0) }
    }

    /// The prototypes of a trained prompt learner's final prompts.
    public static func scorer(_ trainer: PromptTrainer, scale: Float) throws -> PromptADScorer {
        let prompts = trainer.learner.prompts(tokenizer: trainer.tokenizer, contextLength: trainer.text.configuration.text.contextLength)
        let features = try trainer.text.forward(prompts.map(\.prompt))
        var normal: [[Float]] = [], anomaly: [[Float]] = []
        for ((kind, _), feature) in zip(prompts, features) {
            if kind == .normal { normal.append(feature) } else { anomaly.append(feature) }
        }
        return PromptADScorer(normalFeatures: normal, anomalyFeatures: anomaly, scale: scale)
    }
}
