import ArgumentParser
import Foundation
import Notebook

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the chapters, their cells, and whether this binary's compiled cells match the text.")

    @OptionGroup var project: ProjectOptions

    func run() throws {
        let chapters: [Chapter]
        do { chapters = try project.project.chapters() } catch let error as ReportError {
            printError("report list: \(error.description)")
            throw ExitCode(2)
        }
        print("chapter".padding(toLength: 28, withPad: " ", startingAt: 0) + "cells  state")
        for chapter in chapters {
            let compiled = ReportCommand.compiledChapters.first { $0.name == chapter.name }
            let state: String
            if compiled == nil { state = "new: not compiled yet (swift run report build compiles it)" }
            else if compiled!.fingerprint != Fingerprint.cells(of: chapter) { state = "edited: recompiles on the next swift run" }
            else { state = "compiled" }
            let name = (chapter.name + ".md").padding(toLength: 28, withPad: " ", startingAt: 0)
            print(name + String(chapter.cells.count).padding(toLength: 7, withPad: " ", startingAt: 0) + state)
            print("    " + chapter.title)
        }
    }
}
