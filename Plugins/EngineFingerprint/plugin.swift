// Bakes a fingerprint of the engine's and generator's sources into ReportKit, so cached chapter
// results are dropped whenever the code that computed them changes, wherever the report is built.
import Foundation
import PackagePlugin

@main
struct EngineFingerprint: BuildToolPlugin {
    /// The targets whose code can change what a chapter computes.
    static let targets: Set<String> = ["Engine", "Figures", "Notebook", "ReportKit", "CPNGCodec"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let sources = context.package.targets
            .compactMap { $0 as? SourceModuleTarget }
            .filter { Self.targets.contains($0.name) }
            .flatMap { $0.sourceFiles.map(\.url) }
            .filter { ["swift", "c", "h"].contains($0.pathExtension) }
            .sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EngineSourceFingerprint.swift")
        return [
            .buildCommand(
                displayName: "Fingerprinting the engine's sources",
                executable: try context.tool(named: "ChapterCompiler").url,
                arguments: ["--fingerprint", output.path] + sources.map(\.path),
                inputFiles: sources,
                outputFiles: [output]),
        ]
    }
}
