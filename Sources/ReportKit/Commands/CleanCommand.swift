import ArgumentParser
import Foundation

struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Delete the generated site in output/ (its .gitignore stays) and the cached chapter results.")

    @OptionGroup var project: ProjectOptions

    @Flag(help: "Keep the cached chapter results (only the site is deleted).")
    var keepCache = false

    func run() throws {
        let fm = FileManager.default
        let project = project.project
        var removed = 0
        for name in (try? fm.contentsOfDirectory(atPath: project.output.path)) ?? [] where name != ".gitignore" {
            try fm.removeItem(at: project.output.appendingPathComponent(name))
            removed += 1
        }
        print("Removed \(removed) item(s) from \(project.output.path)")
        if !keepCache {
            let cache = ChapterCache(project: project)
            try cache.clear()
            print("Removed the cached chapter results in \(cache.directory.path)")
        }
    }
}
