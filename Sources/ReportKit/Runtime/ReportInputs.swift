// What the chapters run on, resolved once: the model (--weights or the embedded one), the dataset
// (--data-root or the synthetic benchmark), the experiment memo, and the words that name them in captions.
import Engine
import Foundation

public struct ReportInputs: @unchecked Sendable {
    public let workspace: Workspace
    public let model: ExperimentModel
    public let dataset: DatasetKind
    public let dataRoot: String
    public let classes: [String]
    /// "the synthetic benchmark (seed 0, 256 px)" or "mvtec at /data/mvtec".
    public let dataLabel: String

    /// From `ReportSettings.current`, the embedded defaults where it names nothing.
    public static func current() throws -> ReportInputs {
        let settings = ReportSettings.current
        let workspace = Workspace.current
        let model = try workspace.model(weights: settings.weights)
        if let root = settings.dataRoot {
            let kind = detectKind(root)
            let classes = try AnomalyDataset(kind: kind, root: root).classes()
            return ReportInputs(workspace: workspace, model: model, dataset: kind, dataRoot: root, classes: classes,
                                dataLabel: "\(kind.rawValue) at \(root)")
        }
        let root = try workspace.syntheticData()
        return ReportInputs(workspace: workspace, model: model, dataset: .synthetic, dataRoot: root,
                            classes: try AnomalyDataset(kind: .synthetic, root: root).classes(),
                            dataLabel: "the synthetic benchmark (seed 0, 256 px)")
    }

    /// VisA when its split file is there, MVTec AD when its class folders are, else a folder of the user's own.
    static func detectKind(_ root: String) -> DatasetKind {
        let fm = FileManager.default
        if fm.fileExists(atPath: root + "/split_csv/1cls.csv") { return .visa }
        let names = Set((try? fm.contentsOfDirectory(atPath: root)) ?? [])
        if !names.isDisjoint(with: AnomalyDataset.mvtecClasses) { return .mvtec }
        if !names.isDisjoint(with: AnomalyDataset.visaClasses) { return .visa }
        return .folder
    }

    /// An experiment on these inputs, memoised (a rebuild with the same settings costs nothing).
    public func run(_ configure: (inout ExperimentConfiguration) -> Void, className: String) throws -> ExperimentResult {
        let (result, memoised) = try Experiment(configuration(configure, className: className), dataRoot: dataRoot)
            .run(model: model, store: workspace.experimentStore, code: code, rerun: ReportSettings.current.rerunExperiments)
        CellRunner.current?.note(result, memoised: memoised)
        return result
    }

    /// The configuration of an experiment on this build's data: the defaults, then `configure`.
    public func configuration(_ configure: (inout ExperimentConfiguration) -> Void, className: String) -> ExperimentConfiguration {
        var c = ExperimentConfiguration(dataset: dataset, className: className)
        configure(&c)
        return c
    }

    /// Draws of the shot that every 1-shot comparison runs over.
    public static let draws = 5

    /// A setting's experiments over `draws` draws of the shot (`ExperimentConfiguration.draws`).
    public func draws(_ configure: (inout ExperimentConfiguration) -> Void, className: String, draws: Int = ReportInputs.draws) -> [ExperimentConfiguration] {
        configuration(configure, className: className).draws(draws)
    }

    /// The held-out copy of the synthetic benchmark (data seed 1), with this build's model: where defaults are
    /// chosen, never on the test split the chapters report.
    public func heldOut() throws -> ReportInputs {
        let root = try workspace.syntheticData(seed: 1)
        return ReportInputs(workspace: workspace, model: model, dataset: .synthetic, dataRoot: root,
                            classes: try AnomalyDataset(kind: .synthetic, root: root).classes(),
                            dataLabel: "the held-out synthetic benchmark (seed 1, 256 px)")
    }

    /// Many experiments at once (a sweep, several draws): those not memoised run with their prompt
    /// training batched together (`Experiment.runAll`). Results by configuration.
    public func runAll(_ configurations: [ExperimentConfiguration]) throws -> [ExperimentConfiguration: ExperimentResult] {
        let unique = Array(Set(configurations)).sorted { "\($0)" < "\($1)" }
        let outcomes = try Experiment.runAll(unique.map { Experiment($0, dataRoot: dataRoot) }, model: model, store: workspace.experimentStore,
                                             code: code, rerun: ReportSettings.current.rerunExperiments)
        var results: [ExperimentConfiguration: ExperimentResult] = [:]
        for (c, outcome) in zip(unique, outcomes) {
            CellRunner.current?.note(outcome.result, memoised: outcome.memoised)
            results[c] = outcome.result
        }
        return results
    }

    /// The code that computed a memoised experiment: the engine's version and its sources' fingerprint.
    public static var code: String { Engine.version + "+" + engineSourceFingerprint }
    public var code: String { Self.code }

    /// "Measured here with <model> on <data>."
    public var measuredWith: String { "Measured by this build with \(model.name) on \(dataLabel)." }
}
