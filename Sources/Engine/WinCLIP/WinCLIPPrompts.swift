// WinCLIP's prompt ensemble as anomalib 2.7.0 builds it (docs/method-notes.md section 7): each state
// (7 normal, 4 anomalous) in each of 21 templates, state-major; a class's text embedding is the
// plain mean of its ensemble's raw embeddings (class scores normalise it).
import Foundation

public enum WinCLIPPrompts {
    public static let normalStates = ["{}", "flawless {}", "perfect {}", "unblemished {}", "{} without flaw", "{} without defect", "{} without damage"]
    public static let anomalousStates = ["damaged {}", "{} with flaw", "{} with defect", "{} with damage"]
    /// anomalib's list, "a jpeg corrupted photo of the {}." twice included, kept for parity.
    public static let templates = [
        "a cropped photo of the {}.", "a close-up photo of a {}.", "a close-up photo of the {}.", "a bright photo of a {}.",
        "a bright photo of the {}.", "a dark photo of the {}.", "a dark photo of a {}.", "a jpeg corrupted photo of the {}.",
        "a jpeg corrupted photo of the {}.", "a blurry photo of the {}.", "a blurry photo of a {}.", "a photo of a {}.",
        "a photo of the {}.", "a photo of a small {}.", "a photo of the small {}.", "a photo of a large {}.",
        "a photo of the large {}.", "a photo of the {} for visual inspection.", "a photo of a {} for visual inspection.",
        "a photo of the {} for anomaly detection.", "a photo of a {} for anomaly detection.",
    ]

    /// The sentences of one ensemble for an object named `name` ("metal nut"), in anomalib's order.
    public static func sentences(states: [String], name: String) -> [String] {
        states.flatMap { state in
            templates.map { $0.replacingOccurrences(of: "{}", with: state.replacingOccurrences(of: "{}", with: name)) }
        }
    }

    /// (normal, anomalous) text embeddings, each the mean of its ensemble's raw embeddings, not normalised.
    /// **[choice]** `name` is the readable class name (PromptLearner.promptName: "metal_nut" reads "metal nut"), where anomalib passes the folder's name.
    public static func textEmbeddings(_ model: CLIPModel, name: String) throws -> (normal: [Float], anomalous: [Float]) {
        func mean(_ states: [String]) throws -> [Float] {
            let features = try model.encode(texts: sentences(states: states, name: name))
            var sum = [Double](repeating: 0, count: features[0].count)
            for f in features { for e in sum.indices { sum[e] += Double(f[e]) } }
            return sum.map { Float($0 / Double(features.count)) }
        }
        return (try mean(normalStates), try mean(anomalousStates))
    }
}
