// A few-shot detector after `FewShotDetector.fit`: the shots' visual memory and, for PromptAD and
// DevPrompt, the learned prompts' scorers; it maps a test image's features to a patch map and a score.
import Foundation

public struct FittedDetector {
    public enum Head {
        case memory
        case promptad(segmentation: PromptADScorer, classification: PromptADScorer)
        /// DevPrompt: the reference prior's mean and std turn similarities into deviations (Eq. 5).
        case devprompt(segmentation: PromptADScorer, classification: PromptADScorer, reference: (mean: Float, std: Float))
    }

    public let configuration: ExperimentConfiguration
    public let taps: [Int]
    let embedDimension: Int
    let memory: VisualMemory
    public let head: Head
    /// The segmentation loss before each epoch's update (empty for the memory baseline).
    public let losses: [Float]

    func unitRows(_ flat: [Float]) -> [[Float]] { Vector.unitRows(flat, width: embedDimension) }

    /// (P) patch map on the model's grid and the image score.
    public func score(_ f: VisionOutput) -> (patchMap: [Float], score: Float) {
        score(f, visual: visualMap(f))
    }

    /// The visual memory's patch map (P): the same for every detector fitted on the same shots and taps.
    public func visualMap(_ f: VisionOutput) -> [Float] { memory.score(taps.map { f.taps[$0]! }) }

    /// DevPrompt's raw deviations d(p) (P) of a test image, in standard deviations of the reference prior; nil for the other heads.
    public func deviations(_ f: VisionOutput) -> [Float]? {
        guard case .devprompt(let segmentation, _, let reference) = head else { return nil }
        return DeviationMap.deviations(patches: unitRows(f.valueValueTokens!), anomaly: segmentation.anomaly, scale: segmentation.scale, reference: reference)
    }

    /// As `score`, with the visual map already made.
    public func score(_ f: VisionOutput, visual: [Float]) -> (patchMap: [Float], score: Float) {
        switch head {
        case .memory:
            return (visual, visual.max() ?? 0)
        case .promptad(let segmentation, let classification):
            return (segmentation.fusedMap(patches: unitRows(f.valueValueTokens!), visual: visual),
                    classification.imageScore(pooled: f.embedding, visualMap: visual))
        case .devprompt(let segmentation, let classification, _) where configuration.inferenceMap == .text:
            // DevPrompt as "PromptAD plus a loss": PromptAD's text map from the deviation-trained prompts.
            return (segmentation.fusedMap(patches: unitRows(f.valueValueTokens!), visual: visual),
                    classification.imageScore(pooled: f.embedding, visualMap: visual))
        case .devprompt(let segmentation, let classification, let reference):
            let deviation = DeviationMap.map(patches: unitRows(f.valueValueTokens!), anomaly: segmentation.anomaly,
                                             scale: segmentation.scale, reference: reference, margin: configuration.margin)
            return (HarmonicFusion.fuse(deviation, visual), classification.imageScore(pooled: f.embedding, visualMap: visual))
        }
    }
}
