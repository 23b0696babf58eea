import Foundation

/// What `report build` was asked to run on, for cells to read: `ReportSettings.current.dataRoot`.
/// The builder hands them to each chapter's process through the environment.
public struct ReportSettings: Sendable, Equatable {
    /// A dataset folder given with --data-root (MVTec AD, VisA or the user's own); nil: the embedded default.
    public var dataRoot: String?
    /// OpenCLIP weights given with --weights; nil: the embedded default model.
    public var weights: String?

    /// `report build --rerun`: memoised experiments run again too (not part of any cache key).
    public var rerunExperiments: Bool

    public init(dataRoot: String? = nil, weights: String? = nil, rerunExperiments: Bool = false) {
        self.dataRoot = dataRoot; self.weights = weights; self.rerunExperiments = rerunExperiments
    }

    static let dataRootVariable = "REPORT_DATA_ROOT"
    static let weightsVariable = "REPORT_WEIGHTS"
    static let rerunVariable = "REPORT_RERUN_EXPERIMENTS"

    public static var current: ReportSettings {
        CellRunner.current?.readsInputs = true
        let env = ProcessInfo.processInfo.environment
        return ReportSettings(dataRoot: env[dataRootVariable].flatMap { $0.isEmpty ? nil : $0 },
                              weights: env[weightsVariable].flatMap { $0.isEmpty ? nil : $0 },
                              rerunExperiments: env[rerunVariable] == "1")
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env[Self.dataRootVariable] = dataRoot ?? ""
        env[Self.weightsVariable] = weights ?? ""
        env[Self.rerunVariable] = rerunExperiments ? "1" : ""
        return env
    }
}
