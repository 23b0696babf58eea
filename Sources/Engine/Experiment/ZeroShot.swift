// Zero-shot scoring with prompt ensembles (WinCLIP's states and templates, docs/method-notes.md section 7):
// the image score from the pooled embedding, the pixel map from the V-V patch tokens, each as the
// similarity to the anomalous prompts minus that to the normal ones (a softmax of the two ranks alike).
import Foundation

public enum ZeroShot {
    public static let normalStates = ["{}", "flawless {}", "perfect {}", "unblemished {}", "{} without flaw", "{} without defect", "{} without damage"]
    public static let anomalousStates = ["damaged {}", "{} with flaw", "{} with defect", "{} with damage"]
    /// **[choice]** 12 of WinCLIP's about 21 templates (docs/method-notes.md section 7), the same for every model and dataset.
    public static let templates = ["a photo of a {}.", "a cropped photo of the {}.", "a close-up photo of a {}.", "a photo of the {}.",
                                   "a bright photo of a {}.", "a dark photo of the {}.", "a blurry photo of the {}.", "a photo of one {}.",
                                   "a low resolution photo of the {}.", "a jpeg corrupted photo of a {}.", "a photo of a small {}.", "a photo of a large {}."]

    /// Unit normal and anomalous class embeddings: the mean of the raw embeddings over states and templates, normalised.
    public static func prototypes(_ model: CLIPModel, className: String) throws -> (normal: [Float], anomalous: [Float]) {
        let name = PromptLearner.promptName(className)
        func embedding(_ states: [String]) throws -> [Float] {
            let texts = states.flatMap { state in templates.map { $0.replacingOccurrences(of: "{}", with: state.replacingOccurrences(of: "{}", with: name)) } }
            let features = try model.encode(texts: texts)
            var mean = [Float](repeating: 0, count: features[0].count)
            for f in features { for e in mean.indices { mean[e] += f[e] / Float(features.count) } }
            return Vector.normalized(mean)
        }
        return (try embedding(normalStates), try embedding(anomalousStates))
    }

    /// (image score, patch map) of one image's features.
    public static func score(_ f: VisionOutput, prototypes p: (normal: [Float], anomalous: [Float]), embedDimension E: Int) -> (score: Float, patchMap: [Float]) {
        let image = Vector.normalized(f.embedding)
        let tokens = f.valueValueTokens ?? []
        let map = Vector.unitRows(tokens, width: E).map { Vector.dot($0, p.anomalous) - Vector.dot($0, p.normal) }
        return (Vector.dot(image, p.anomalous) - Vector.dot(image, p.normal), map)
    }
}
