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
        var c = ExperimentConfiguration(dataset: dataset, className: className)
        configure(&c)
        let (result, memoised) = try Experiment(c, dataRoot: dataRoot).run(model: model, store: workspace.experimentStore, code: code,
                                                                           rerun: ReportSettings.current.rerunExperiments)
        CellRunner.current?.note(result, memoised: memoised)
        return result
    }

    /// The code that computed a memoised experiment: the engine's version and its sources' fingerprint.
    public static var code: String { Engine.version + "+" + engineSourceFingerprint }
    public var code: String { Self.code }

    /// "Measured here with <model> on <data>."
    public var measuredWith: String { "Measured by this build with \(model.name) on \(dataLabel)." }
}
