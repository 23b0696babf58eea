// Compiles the Markdown chapters of the target it is attached to into Swift, one file per chapter.
import Foundation
import PackagePlugin

@main
struct ChapterCells: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        // The target's own .md files: adding or removing a chapter changes this list, which SwiftPM notices.
        let chapters = target.sourceFiles(withSuffix: "md").map(\.url).sorted { $0.path < $1.path }
        let tool = try context.tool(named: "ChapterCompiler")
        let outputDirectory = context.pluginWorkDirectoryURL.appendingPathComponent("GeneratedCells")
        let names = chapters.map { $0.deletingPathExtension().lastPathComponent }
        let outputs = names.map { outputDirectory.appendingPathComponent("\($0).cells.swift") }
            + [outputDirectory.appendingPathComponent("ChapterRegistry.swift")]
        return [
            .buildCommand(
                displayName: "Compiling \(chapters.count) chapter(s) into Swift",
                executable: tool.url,
                arguments: [context.package.directoryURL.path, outputDirectory.path] + chapters.map(\.path),
                inputFiles: chapters,
                outputFiles: outputs),
        ]
    }
}
