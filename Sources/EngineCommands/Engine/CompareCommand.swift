import ArgumentParser
import Engine
import Foundation
import ReportKit

/// `report compare`: a model against its controls on the synthetic benchmark (the bar in Models/synthetic-clip/README.md).
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare a model with the same architecture at random weights and a raw-pixel memory on the synthetic benchmark.")

    @OptionGroup var model: ModelOptions

    @Option(help: "Seed of the random-weights control.")
    var controlSeed: UInt64 = 0

    @Option(name: .customLong("class"), help: "A synthetic class; repeatable (default: all nine).")
    var classes: [String] = []

    @Option(help: "Prompt-learning epochs for PromptAD and DevPrompt.")
    var epochs = DetectorSettings().epochs

    @Option(help: "Seed of the synthetic benchmark to compare on (0: the report's test data; another seed: held-out validation data).")
    var dataSeed: UInt64 = 0

    @Option(help: "Also write the comparison as JSON here.")
    var out: String?

    func run() throws {
        try reportingErrors("report compare") {
            TerminalProgress.install()
            let workspace = Workspace.current
            let subject = try model.load(workspace)
            let control = try workspace.randomControl(like: subject, seed: controlSeed)
            let data = try workspace.syntheticData(seed: dataSeed)
            let names = classes.isEmpty ? try AnomalyDataset(kind: .synthetic, root: data).classes() : classes
            printError("model: \(subject.name); control: \(control.name)")
            let comparison = try ModelComparisonRun.run(model: subject, control: control, dataRoot: data, classes: names, epochs: epochs,
                                                        store: workspace.experimentStore, code: ReportInputs.code)
            if let out {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                try AtomicFile.write(try encoder.encode(comparison), to: URL(fileURLWithPath: out))
            }
            for line in Self.summary(comparison) { print(line) }
        }
    }

    static func summary(_ c: ModelComparison) -> [String] {
        typealias M = ModelComparison
        var lines = ["mean over \(c.classes.count) classes (all / seen / unseen defect kinds; unseen: \(c.unseenDefects.joined(separator: ", ")))"]
        for (metric, arms) in [(M.zeroShotImage, [M.model, M.random]), (M.zeroShotPixel, [M.model, M.random]),
                               (M.memoryPixel, [M.model, M.random]), (M.promptADPixel, [M.model, M.random]),
                               (M.devPromptPixel, [M.model, M.random]), (M.rawPixel, [M.raw])] {
            for arm in arms {
                lines.append(String(format: "  %-40@ %-16@ %.3f / %.3f / %.3f", metric as NSString, arm as NSString,
                                    c.mean(metric, arm), c.mean(metric, arm, "seen"), c.mean(metric, arm, "unseen")))
            }
        }
        lines.append("the bar (difference of class means, 95% bootstrap interval over classes):")
        for (metricA, armA, metricB, armB) in [(M.promptADPixel, M.model, M.promptADPixel, M.random), (M.promptADPixel, M.model, M.rawPixel, M.raw),
                                               (M.devPromptPixel, M.model, M.devPromptPixel, M.random), (M.devPromptPixel, M.model, M.rawPixel, M.raw),
                                               (M.zeroShotPixel, M.model, M.zeroShotPixel, M.random)] {
            let d = c.difference(metricA, armA, metricB, armB)
            lines.append(String(format: "  %@ %@ - %@: %+.3f [%+.3f, %+.3f] %@", metricA, armA, armB == M.raw ? "raw-pixel memory" : armB,
                                d.mean, d.low, d.high, d.low > 0 ? "beats" : "does not beat"))
        }
        let promptAD = c.mean(M.promptADPixel, M.model)
        lines.append(String(format: "  mean 1-shot PromptAD pixel AUROC %.3f: %@", promptAD, promptAD >= 0.9 ? "reaches 0.9" : "below 0.9"))
        return lines
    }
}
