import ArgumentParser
import Foundation

struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Delete the generated site in output/ (its .gitignore stays).")

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let fm = FileManager.default
        let output = project.project.output
        var removed = 0
        for name in (try? fm.contentsOfDirectory(atPath: output.path)) ?? [] where name != ".gitignore" {
            try fm.removeItem(at: output.appendingPathComponent(name))
            removed += 1
        }
        print("Removed \(removed) item(s) from \(output.path)")
    }
}
