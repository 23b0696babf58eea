import ArgumentParser
import Engine
import Foundation

/// The experiment memo, as the report's numbers name it: `report runs` lists it, `report runs show ID`
/// prints one record, whose configuration `report eval --config` reruns.
struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the memoised experiments the report's numbers come from, or print one.",
        discussion: """
        Each measured number in the site links to output/runs/<id>.json. `report runs` lists every memoised \
        experiment (id, when it finished, method, class, shots, seed, image and pixel AUROC and AUPRO in %); \
        `report runs show ID` (a unique prefix will do) prints its record: the whole configuration, the model's \
        and the code's identity, the data root, per-phase seconds and the metrics. `report eval --config FILE` \
        on that record reruns the experiment.
        """,
        subcommands: [List.self, Show.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the memoised experiments (the default).")
        @OptionGroup var project: ProjectOptions

        func run() throws {
            let records = RunsCommand.records(project)
            guard !records.isEmpty else { print("No memoised experiments in \(RunsCommand.store(project).directory.path)"); return }
            print("id            finished              method     class         shots seed  image  pixel  AUPRO (%)")
            for record in records.sorted(by: { ($0.finished ?? "") < ($1.finished ?? "") }) {
                let c = record.configuration, m = record.metrics
                func column(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
                print(column(String(record.id.prefix(12)), 14) + column(record.finished ?? "-", 22) + column(c.method.rawValue, 11)
                      + column(c.className, 14) + column(String(c.shots), 6) + column(String(c.seed), 6)
                      + String(format: "%5.1f  %5.1f  %5.1f", 100 * m.imageAUROC, 100 * m.pixelAUROC, 100 * m.aupro))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Print one memoised experiment's record as JSON.")
        @OptionGroup var project: ProjectOptions
        @Argument(help: "The run's id, or a prefix of it that names one run.") var id: String

        func run() throws {
            let matches = RunsCommand.records(project).filter { $0.id.hasPrefix(id) }
            guard matches.count == 1 else {
                printError(matches.isEmpty ? "report runs show: no memoised experiment has an id starting \(id)"
                                           : "report runs show: \(matches.count) runs start with \(id): give more of the id")
                throw ExitCode(1)
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(matches[0]), as: UTF8.self))
        }
    }

    static func store(_ project: ProjectOptions) -> ExperimentStore { Workspace(root: URL(fileURLWithPath: project.root)).experimentStore }

    static func records(_ project: ProjectOptions) -> [RunRecord] {
        store(project).all().map { key, result in
            var record = RunRecord(result)
            record.id = key
            return record
        }
    }
}
