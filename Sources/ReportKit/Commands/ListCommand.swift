import ArgumentParser
import Foundation
import Notebook

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the chapters with their cells, and whether each is compiled and its results cached or stale.")

    @OptionGroup var project: ProjectOptions
    @OptionGroup var inputs: InputOptions

    func run() throws {
        let project = project.project
        let chapters: [Chapter]
        let fingerprints: InputFingerprints
        do {
            chapters = try project.chapters()
            fingerprints = try InputFingerprints.compute(project: project, settings: inputs.settings)
        } catch let error as ReportError {
            printError("report list: \(error.description)")
            throw ExitCode(2)
        }
        let cache = ChapterCache(project: project)
        print("chapter".padding(toLength: 28, withPad: " ", startingAt: 0) + "cells  state")
        for chapter in chapters {
            let compiled = ReportCommand.compiledChapters.first { $0.name == chapter.name }
            let state: String
            if compiled == nil { state = "new: not compiled yet (swift run report build compiles it)" }
            else if compiled!.fingerprint != Fingerprint.cells(of: chapter) { state = "edited: recompiles and reruns on the next swift run report build" }
            else if chapter.frontMatter.buildRecord { state = "build record: reruns when a chapter before it runs (it shows how they ran)" }
            else if cache.isFresh(chapter: chapter.name, key: ChapterCache.key(chapter: chapter, inputs: fingerprints)) { state = "cached" }
            else { state = "stale: runs on the next build" }
            let name = (chapter.name + ".md").padding(toLength: 28, withPad: " ", startingAt: 0)
            print(name + String(chapter.cells.count).padding(toLength: 7, withPad: " ", startingAt: 0) + state)
            print("    " + chapter.title)
        }
    }
}
