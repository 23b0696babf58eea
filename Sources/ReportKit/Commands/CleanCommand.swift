import ArgumentParser
import Engine
import Foundation

struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Delete the generated site (output/, and output.failed/, the PDF with them), the cached chapter results, the memoised experiments and LuaLaTeX's work files.",
        discussion: """
        Only folders `report build` made are emptied (they carry its .report-output marker); any other folder is refused.
        The feature cache (.report-cache/features) is kept: frozen features are keyed by the model's and the image's bytes, so they cannot go stale.
        """)

    @OptionGroup var project: ProjectOptions

    @Flag(help: "Keep the cached chapter results and the memoised experiments (only the site is deleted).")
    var keepCache = false

    func run() throws {
        let project = project.project
        let removed = try reportingErrors("report clean") { () -> Int in
            var removed = 0
            for url in [project.output, project.failedOutput] where FileManager.default.fileExists(atPath: url.path) {
                guard OwnedFolder.isOwned(url, by: "report build") else {
                    throw EngineError.invalidInput("\(url.path): not a site `report build` made (no \(OwnedFolder.markerName) marker): refusing to empty it")
                }
                removed += try OwnedFolder(url.path, command: "report build").removeContents(keeping: [".gitignore"])
            }
            return removed
        }
        print("Removed \(removed) item(s) from \(project.output.path)")
        if !keepCache {
            let cache = ChapterCache(project: project)
            try cache.clear()
            let experiments = Workspace(root: project.root).experimentStore.directory
            if FileManager.default.fileExists(atPath: experiments.path) { try FileManager.default.removeItem(at: experiments) }
            let pdf = ReportBuilder.pdfWorkDirectory(project)
            if FileManager.default.fileExists(atPath: pdf.path) { try FileManager.default.removeItem(at: pdf) }
            print("Removed the cached chapter results in \(cache.directory.path), the memoised experiments in \(experiments.path) and LuaLaTeX's files in \(pdf.path)")
        }
    }
}
