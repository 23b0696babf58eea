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

    @Flag(help: "Run the chapters (and the experiments they memoised) again even when their cached results are current; the feature cache is kept, since frozen features cannot go stale.")
    var rerun = false

    @Option(help: "Seconds a chapter may run before it is stopped and reported as failed (a chapter's front matter `timeout:` overrides it).")
    var timeout: Double = BuildOptions.defaultTimeout

    @Flag(help: "Skip the PDF edition (output/report.pdf, typeset by LuaLaTeX from TeX Live); the site is written either way.")
    var noPdf = false

    func validate() throws {
        if !(timeout > 0 && timeout.isFinite) { throw ValidationError("--timeout must be a positive number of seconds") }
    }

    func run() throws {
        let started = Date()
        var settings = inputs.settings
        settings.rerunExperiments = rerun
        let options = BuildOptions(rerun: rerun, only: chapters.map { $0.hasSuffix(".md") ? String($0.dropLast(3)) : $0 },
                                   settings: settings, timeout: timeout, pdf: !noPdf)
        RunningChapter.shared.installInterruptHandlers()
        let builder = ReportBuilder(project: project.project, compiled: ReportCommand.compiledChapters,
                                    executable: Self.currentExecutable(), options: options, log: printError)
        let summary: BuildSummary
        do {
            summary = try builder.build()
        } catch let error as ReportError {
            printError("report build: \(error.description)")
            throw ExitCode(1)
        }
        let seconds = Date().timeIntervalSince(started)
        let index = (summary.failedSite ?? summary.output).appendingPathComponent("index.html").path
        printError(String(format: "Wrote %@ (%d chapters: %d run, %d cached) in %.1f s", index, summary.chapters,
                          summary.ran.count, summary.cached.count, seconds))
        if case .written(let pages, _, _) = summary.pdf {
            printError("Wrote \((summary.failedSite ?? summary.output).appendingPathComponent("report.pdf").path)\(pages.map { " (\($0) pages)" } ?? "")")
        }
        if case .failed(let reason) = summary.pdf { printError("report build: \(reason)") }
        if !summary.problems.isEmpty {
            printError("\(summary.problems.count) problem(s); the pages show each at its place:")
            summary.problems.forEach { printError("  " + $0) }
            if let failed = summary.failedSite {
                printError("The previous site in \(summary.output.path) is unchanged; this build's pages are in \(failed.path) for inspection.")
            }
            throw ExitCode(1)
        }
        if case .failed = summary.pdf { throw ExitCode(1) }
    }

    static func currentExecutable() -> URL {
        // /proc/self/exe names this binary whatever the working directory or argv[0].
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }
}
