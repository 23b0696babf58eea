// Pretraining a small CLIP on the synthetic caption stream: batches of fresh images (never a fixed
// pool), the contrastive and dense loss, gradients through both towers, AdamW.
import Foundation

public struct PretrainingBatch: Sendable {
    /// Preprocessed images (3, H, W).
    public var images: [[Float]]
    public var captions: [[Int]]
    /// Equal captions share a label: product * 2 + defective.
    public var labels: [Int]
    public var products: [Int]
    /// (B, P) the fraction of each patch the defect mask covers.
    public var coverage: [[Float]]

    /// `count` fresh images from the stream, as the model sees them.
    public static func make(_ stream: inout CaptionStream, count: Int, configuration c: CLIPConfiguration, tokenizer: Tokenizer = .shared) -> PretrainingBatch {
        let preprocess = CLIPPreprocess(c)
        let v = c.vision, p = v.patchSize
        var batch = PretrainingBatch(images: [], captions: [], labels: [], products: [], coverage: [])
        for _ in 0..<count {
            let sample = stream.next()
            let product = SyntheticProduct.allCases.firstIndex(of: sample.product)!
            batch.images.append(preprocess(sample.image))
            batch.captions.append(tokenizer.tokenize(sample.caption, contextLength: c.text.contextLength))
            batch.labels.append(product * 2 + (sample.defect == nil ? 0 : 1))
            batch.products.append(product)
            // The mask is read on the model's patch grid, so the stream must make images of the model's input size.
            let side = sample.image.width
            precondition(side == v.imageWidth && sample.image.height == v.imageHeight,
                         "PretrainingBatch: the stream makes \(side) px images, the model takes \(v.imageWidth)x\(v.imageHeight)")
            var coverage = [Float](repeating: 0, count: v.patches)
            for patch in 0..<v.patches {
                let gy = patch / v.gridWidth, gx = patch % v.gridWidth
                var sum: Float = 0
                for y in 0..<p { for x in 0..<p { sum += sample.mask[(gy * p + y) * side + gx * p + x] } }
                coverage[patch] = sum / Float(p * p)
            }
            batch.coverage.append(coverage)
        }
        return batch
    }
}

public struct Pretrainer {
    public var parameters: CLIPParameters
    public var optimizer: AdamW
    public var loss = PretrainingLoss()
    /// The dense term's prompts: product k's normal prompt at 2k, its defect prompt at 2k + 1.
    let promptTokens: [[Int]]
    /// Kept between steps: the towers' tapes (their buffers are reused), and the gradients.
    var visionTape: VisionTape?
    var textTape: TextTape?
    var gradients: CLIPParameters?

    public init(parameters: CLIPParameters, optimizer: AdamW, tokenizer: Tokenizer = .shared) {
        self.parameters = parameters; self.optimizer = optimizer
        promptTokens = SyntheticProduct.allCases.flatMap { product in
            ["a photo of a flawless \(product.promptName)", "a photo of a damaged \(product.promptName)"]
                .map { tokenizer.tokenize($0, contextLength: parameters.configuration.text.contextLength) }
        }
    }

    /// The loss on a batch and the gradient of every parameter.
    public func lossAndGradients(_ batch: PretrainingBatch) -> (result: PretrainingLoss.Result, gradients: CLIPParameters) {
        var copy = self
        copy.visionTape = nil; copy.textTape = nil; copy.gradients = nil
        return copy.lossAndGradientsReusingBuffers(batch)
    }

    mutating func lossAndGradientsReusingBuffers(_ batch: PretrainingBatch) -> (result: PretrainingLoss.Result, gradients: CLIPParameters) {
        let c = parameters.configuration
        let B = batch.images.count, T = c.vision.patches + 1, E = c.embedDimension
        let valueValue = loss.denseTokens == .valueValue && loss.denseWeight != 0
        // The inference towers over this step's weights (they share the arrays; released before the optimiser writes them).
        let weights = parameters.weights(label: "training")
        let vision = VisionTransformer(weights), text = TextTransformer(weights)
        let (rows, valueValueRows, visionTape) = vision.forwardTaped(batch.images, valueValue: valueValue, tape: self.visionTape ?? VisionTape())
        let patchRows = valueValueRows ?? rows
        self.visionTape = nil
        let textTape = self.textTape ?? TextTape()
        self.textTape = nil
        let features = text.run((batch.captions + promptTokens).map { TextTransformer.Prompt(tokens: $0) }, shareRows: true, tape: textTape).flatMap { $0 }
        func row(_ x: [Float], _ r: Int) -> [Float] { Array(x[(r * E)..<((r + 1) * E)]) }
        let result = loss.compute(images: (0..<B).map { row(rows, $0 * T) }, captions: (0..<B).map { row(features, $0) },
                                  labels: batch.labels, patches: (0..<B).map { b in (1..<T).map { row(patchRows, b * T + $0) } },
                                  coverage: batch.coverage, prompts: (0..<promptTokens.count).map { row(features, B + $0) },
                                  products: batch.products, logitScale: parameters[.logitScale][0])
        // The pooled rows' gradient, and the dense term's at the patch rows it read (of either stream).
        var dRows = [Float](repeating: 0, count: B * T * E), dPatchRows = dRows
        for b in 0..<B {
            for e in 0..<E { dRows[b * T * E + e] = result.dImages[b][e] }
            for p in 0..<(T - 1) { for e in 0..<E { dPatchRows[(b * T + 1 + p) * E + e] = result.dPatches[b][p][e] } }
        }
        if !valueValue { for i in dRows.indices { dRows[i] += dPatchRows[i] } }
        let dFeatures = (result.dCaptions + result.dPrompts).flatMap { $0 }
        var gradients = self.gradients ?? parameters.zeros()
        self.gradients = nil
        gradients.clear()
        vision.backward(dRows, valueValue: valueValue ? dPatchRows : nil, visionTape, into: &gradients)
        text.backward(textTape, dFeatures: dFeatures, into: &gradients)
        gradients[.logitScale] = [result.dLogitScale]
        self.visionTape = visionTape; self.textTape = textTape
        return (result, gradients)
    }

    /// One AdamW step at `learningRate`; returns the loss before it.
    @discardableResult
    public mutating func step(_ batch: PretrainingBatch, learningRate: Float) -> PretrainingLoss.Result {
        let (result, gradients) = lossAndGradientsReusingBuffers(batch)
        optimizer.learningRate = learningRate
        optimizer.step(&parameters, gradients: gradients)
        self.gradients = gradients
        return result
    }
}
