import ArgumentParser
import CStdio
import Foundation

/// Internal: `report build` runs each chapter through this in a child process.
struct RunChapterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run-chapter",
        abstract: "Run one compiled chapter's cells (used by `report build`, one process per chapter).",
        shouldDisplay: false)

    @Argument var chapter: String
    @Option var site: String
    @Option var result: String
    @Option var work: String

    func run() throws {
        guard chapter_process_detach() == 0 else { throw ExitCode(2) }
        guard let entry = ReportCommand.compiledChapters.first(where: { $0.name == chapter }) else {
            printError("run-chapter: no compiled chapter named \(chapter)")
            throw ExitCode(2)
        }
        let runner = CellRunner(chapter: chapter, cellCount: entry.cellCount,
                                siteDirectory: URL(fileURLWithPath: site), resultURL: URL(fileURLWithPath: result),
                                workDirectory: URL(fileURLWithPath: work), showProgress: true)
        CellRunner.current = runner
        do {
            try entry.run(runner)
        } catch {
            try runner.fail(error)
            throw ExitCode(ChapterProcess.cellErrorStatus)
        }
    }
}
