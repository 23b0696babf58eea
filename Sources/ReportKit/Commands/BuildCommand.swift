import ArgumentParser
import Foundation

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Run the chapters' cells (or reuse unchanged results) and write the site to output/.")

    @OptionGroup var project: ProjectOptions
    @OptionGroup var inputs: InputOptions

    @Option(name: .customLong("chapter"), help: "Build only this chapter (name without .md); repeatable. Others keep their cached results.")
    var chapters: [String] = []

    @Flag(help: "Run the chapters even when their cached results are current.")
    var rerun = false

    func run() throws {
        let started = Date()
        let options = BuildOptions(rerun: rerun, only: chapters.map { $0.hasSuffix(".md") ? String($0.dropLast(3)) : $0 },
                                   settings: inputs.settings)
        let builder = ReportBuilder(project: project.project, compiled: ReportCommand.compiledChapters,
                                    executable: Self.currentExecutable(), options: options, log: printError)
        let summary: BuildSummary
        do {
            summary = try builder.build()
        } catch let error as ReportError {
            printError("report build: \(error.description)")
            throw ExitCode(2)
        }
        let seconds = Date().timeIntervalSince(started)
        let index = summary.output.appendingPathComponent("index.html").path
        printError(String(format: "Wrote %@ (%d chapters: %d run, %d cached) in %.1f s", index, summary.chapters,
                          summary.ran.count, summary.cached.count, seconds))
        if !summary.problems.isEmpty {
            printError("\(summary.problems.count) problem(s); the pages show each at its place:")
            summary.problems.forEach { printError("  " + $0) }
            throw ExitCode(1)
        }
    }

    static func currentExecutable() -> URL {
        // /proc/self/exe names this binary whatever the working directory or argv[0].
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }
}
