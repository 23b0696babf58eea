import ArgumentParser
import Engine
import Foundation
import ReportKit

struct DataCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "List classes with their counts and every problem found; exits non-zero on problems.")

    @Option(help: "mvtec, visa, folder or synthetic (a folder `report data synth` wrote).")
    var dataset: DatasetKind

    @Option(help: "The dataset's root folder.")
    var dataRoot: String

    @Option(name: .customLong("class"), help: "Check only this class.")
    var className: String?

    @Flag(help: "Read only each image's header (sizes, kinds, the pixel limit), not its pixels: seconds instead of about a minute, but truncated files and empty masks pass.")
    var headersOnly = false

    @Flag(help: "Print JSON: {\"classes\": [{\"name\", \"trainGood\", \"testGood\", \"testDefective\", \"masks\", \"problems\"}]}.")
    var json = false

    func run() throws {
        let reports = try reportingErrors("report data check") {
            try DataCheck.run(try AnomalyDataset(kind: dataset, root: dataRoot), className: className, depth: headersOnly ? .headers : .decode)
        }
        if json {
            struct Output: Codable { var classes: [ClassReport] }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(Output(classes: reports)), as: UTF8.self))
        } else {
            for r in reports {
                let defects = r.testDefective.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                print("\(r.name): train good \(r.trainGood), test good \(r.testGood), test defective \(r.testDefective.values.reduce(0, +)) (\(defects.isEmpty ? "none" : defects)), masks \(r.masks)")
                r.problems.forEach { print("  problem: \($0)") }
            }
        }
        let problems = reports.reduce(0) { $0 + $1.problems.count }
        if problems > 0 {
            printError("\(problems) problem(s) found")
            throw ExitCode(1)
        }
    }
}

extension DatasetKind: ExpressibleByArgument {}
