// What the site writes for each experiment a number came from (output/runs/<id>.json): the whole
// configuration (`report eval --config` reruns it), the model's and the code's identity, the data,
// per-phase times and the metrics; a group record names the runs a mean was taken over.
import Engine
import Foundation
import Notebook

public struct RunRecord: Codable, Sendable, Equatable {
    public var id: String
    public var configuration: ExperimentConfiguration
    public var model: String
    public var modelIdentity: String
    public var dataRoot: String
    /// The engine's version and source fingerprint that computed it.
    public var code: String?
    public var finished: String?
    public var shots: [String]
    public var testImages: Int
    public var metrics: ExperimentMetrics
    public var seconds: [String: Double]

    public init(_ result: ExperimentResult) {
        id = result.runID ?? ""; configuration = result.configuration; model = result.model; modelIdentity = result.modelIdentity
        dataRoot = result.dataRoot; code = result.code; finished = result.finished; shots = result.shots
        testImages = result.images.count; metrics = result.metrics; seconds = result.seconds
    }

    /// One line for a link's hover text.
    public var summary: String {
        let c = configuration
        func three(_ x: Double) -> String { String(format: "%.3f", x) }
        return "\(c.method.rawValue) on \(c.className), \(c.shots)-shot, seed \(c.seed): image AUROC \(three(metrics.imageAUROC)), "
            + "pixel AUROC \(three(metrics.pixelAUROC)), AUPRO \(three(metrics.aupro)) (run \(id.prefix(12)))"
    }

    /// The relative link of a number traced to `runs`: one run's record, or the group record of several.
    public static func href(_ runs: [String]) -> String? {
        guard let first = runs.first else { return nil }
        return "runs/" + (runs.count == 1 ? first : groupID(runs)) + ".json"
    }

    /// A run id as the memo makes them (lower-case hex), the only kind a link or a file name is made from.
    static func isValidID(_ id: String) -> Bool { !id.isEmpty && id.count <= 128 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase } }

    static func groupID(_ runs: [String]) -> String { "group-" + Fingerprint.fnv1a(runs.sorted().joined(separator: ",")) }
}

/// A mean's record: the runs it was taken over.
struct RunGroup: Codable, Equatable {
    var id: String
    var runs: [String]
}
