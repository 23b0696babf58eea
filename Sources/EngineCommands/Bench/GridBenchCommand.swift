import ArgumentParser
import Engine
import Foundation
import ReportKit

/// `report bench grid`: one class's share of the report's grid (the five methods and the sensitivity
/// settings over several draws) run together through `Experiment.runAll` on a scratch memo, with the
/// features cached first, so what is timed is training, scoring and metrics: the cost of the grid.
struct GridBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grid",
        abstract: "Time one class's experiments of the report's grid run together (features cached first).")

    @Flag(help: "Print JSON instead of lines.")
    var json = false

    @OptionGroup var model: ModelOptions

    @Option(name: .customLong("class"), help: "A class of the synthetic benchmark.")
    var className = "bottle"

    @Option(help: "Draws of the shot.")
    var draws = 5

    @Option(help: "Prompt-learning epochs.")
    var epochs = DetectorSettings().epochs

    @Flag(help: "Only PromptAD and DevPrompt's default, not the sensitivity settings.")
    var methodsOnly = false

    func run() throws {
        struct Output: Codable {
            var model: String
            var experiments: Int
            var learningExperiments: Int
            var seconds: Double
            var phaseSeconds: [String: Double]
            var secondsPerExperiment: Double
        }
        try reportingErrors("report bench grid") {
            TerminalProgress.install()
            let workspace = Workspace.current
            let data = try workspace.syntheticData()
            let loaded = try model.load(workspace)
            var configurations: [ExperimentConfiguration] = []
            var settings: [(inout ExperimentConfiguration) -> Void] = [{ $0.method = .promptad }, { $0.method = .devprompt }]
            if !methodsOnly {
                settings += [{ $0.method = .memory }, { $0.method = .winclipPlus }]
                settings += [Float(0.1), 0.01].map { l in { $0.lambda = l } }
                settings += [Float(0.2), 0.3].map { k in { $0.topK = k } }
                settings += [Float(1), 3, 7, 9].map { a in { $0.margin = a } }
                // DevPrompt's other readings: CutPaste anomalies (its own training) and the deviation map (scoring only).
                settings += [{ $0.anomalies = .cutpaste }, { $0.inferenceMap = .deviation }]
            }
            for d in 0..<draws {
                for s in settings {
                    var c = ExperimentConfiguration(dataset: .synthetic, className: className)
                    c.epochs = epochs; c.seed &+= UInt64(d)
                    s(&c)
                    configurations.append(c)
                }
            }
            let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("bench-grid-\(getpid())")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let store = ExperimentStore(directory: scratch)
            // Every feature first (one short run per draw and WinCLIP+), so the timing below is the grid's own work.
            var warm = configurations.filter { $0.method == .winclipPlus || $0.method == .devprompt }.map { c -> ExperimentConfiguration in var c = c; c.epochs = 1; return c }
            warm = Array(Set(warm))
            _ = try Experiment.runAll(warm.map { Experiment($0, dataRoot: data) }, model: loaded)
            let start = Date()
            let results = try Experiment.runAll(configurations.map { Experiment($0, dataRoot: data) }, model: loaded, store: store)
            let seconds = Date().timeIntervalSince(start)
            var phases: [String: Double] = [:]
            for r in results { for (k, v) in r.result.seconds { phases[k, default: 0] += v } }
            let out = Output(model: loaded.name, experiments: configurations.count,
                             learningExperiments: configurations.filter { $0.method.learnsPrompts }.count,
                             seconds: seconds, phaseSeconds: phases, secondsPerExperiment: seconds / Double(configurations.count))
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(out), as: UTF8.self))
            } else {
                print("model: \(loaded.name); synthetic/\(className), \(draws) draws, \(configurations.count) experiments (\(out.learningExperiments) learn prompts), \(epochs) epochs")
                print(String(format: "together: %.1f s, %.2f s per experiment", seconds, out.secondsPerExperiment))
                print(phases.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f s", $0.key, $0.value) }.joined(separator: ", "))
            }
        }
    }
}
