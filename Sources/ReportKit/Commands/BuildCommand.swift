import ArgumentParser
import Foundation

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Run every chapter's cells and write the site to output/ (index.html first).")

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let started = Date()
        let builder = ReportBuilder(project: project.project, compiled: ReportCommand.compiledChapters,
                                    executable: Self.currentExecutable(), log: printError)
        let summary: BuildSummary
        do {
            summary = try builder.build()
        } catch let error as ReportError {
            printError("report build: \(error.description)")
            throw ExitCode(2)
        }
        let seconds = Date().timeIntervalSince(started)
        let index = summary.output.appendingPathComponent("index.html").path
        printError(String(format: "Wrote %@ (%d chapters, %d cells) in %.1f s", index, summary.chapters, summary.cells, seconds))
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
