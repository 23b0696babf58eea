import Foundation

/// What `report build` was asked to run on, for cells to read: `ReportSettings.current.dataRoot`.
/// The builder hands them to each chapter's process through the environment.
public struct ReportSettings: Sendable, Equatable {
    /// A dataset folder given with --data-root (MVTec AD, VisA or the user's own); nil: the embedded default.
    public var dataRoot: String?
    /// OpenCLIP weights given with --weights; nil: the embedded default model.
    public var weights: String?

    public init(dataRoot: String? = nil, weights: String? = nil) {
        self.dataRoot = dataRoot; self.weights = weights
    }

    static let dataRootVariable = "REPORT_DATA_ROOT"
    static let weightsVariable = "REPORT_WEIGHTS"

    public static var current: ReportSettings {
        let env = ProcessInfo.processInfo.environment
        return ReportSettings(dataRoot: env[dataRootVariable].flatMap { $0.isEmpty ? nil : $0 },
                              weights: env[weightsVariable].flatMap { $0.isEmpty ? nil : $0 })
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env[Self.dataRootVariable] = dataRoot ?? ""
        env[Self.weightsVariable] = weights ?? ""
        return env
    }
}
