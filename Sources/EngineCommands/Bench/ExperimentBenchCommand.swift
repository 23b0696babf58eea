import ArgumentParser
import Engine
import Foundation
import ReportKit

/// `report bench experiment`: a whole 1-shot run from a cold feature cache, phase by phase, and
/// the same run again warm (features cached, only training and scoring left).
struct ExperimentBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Time a whole 1-shot run (encode the shot, train the prompts, encode and score the test set) cold and warm.")

    @Flag(help: "Print JSON instead of lines.")
    var json = false

    @OptionGroup var model: ModelOptions

    @Option(help: "promptad, devprompt or memory.")
    var method: DetectionMethod = .devprompt

    @Option(name: .customLong("class"), help: "A class of the synthetic benchmark.")
    var className = "bottle"

    @Option(help: "Prompt-learning epochs.")
    var epochs = DetectorSettings().epochs

    func run() throws {
        struct Output: Codable {
            var model: String
            var method: String
            var testImages: Int
            var coldSeconds: [String: Double]
            var warmSeconds: [String: Double]
            var coldTotal: Double
            var warmTotal: Double
            var encodeFractionCold: Double
        }
        try reportingErrors("report bench experiment") {
            TerminalProgress.install()
            let workspace = Workspace.current
            let data = try workspace.syntheticData()
            let loaded = try model.load(workspace)
            // A fresh, empty feature cache: the cold run encodes every image once.
            let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("bench-features-\(getpid())")
            defer { try? FileManager.default.removeItem(at: scratch) }
            let fresh = try ExperimentModel(clip: loaded.clip, name: loaded.name, cache: FeatureCache(directory: scratch))
            var c = ExperimentConfiguration(dataset: .synthetic, className: className)
            c.method = method; c.epochs = epochs
            let cold = try Experiment(c, dataRoot: data).run(model: fresh).result
            let warm = try Experiment(c, dataRoot: data).run(model: fresh).result
            let coldTotal = cold.seconds.values.reduce(0, +), warmTotal = warm.seconds.values.reduce(0, +)
            let encode = (cold.seconds["encode test"] ?? 0) + (cold.seconds["encode shots"] ?? 0)
            let out = Output(model: loaded.name, method: method.rawValue, testImages: cold.images.count,
                             coldSeconds: cold.seconds, warmSeconds: warm.seconds, coldTotal: coldTotal, warmTotal: warmTotal,
                             encodeFractionCold: encode / coldTotal)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(out), as: UTF8.self))
            } else {
                print("model: \(loaded.name); \(method.rawValue), synthetic/\(className), 1 shot, \(epochs) epochs, \(cold.images.count) test images")
                for (label, seconds, total) in [("cold (empty feature cache)", cold.seconds, coldTotal), ("warm (features cached)", warm.seconds, warmTotal)] {
                    let phases = seconds.sorted { $0.key < $1.key }.map { String(format: "%@ %.1f s", $0.key, $0.value) }.joined(separator: ", ")
                    print(String(format: "%@: %.1f s (%@)", label, total, phases))
                }
                print(String(format: "encoding is %.0f%% of the cold run", out.encodeFractionCold * 100))
            }
        }
    }
}
