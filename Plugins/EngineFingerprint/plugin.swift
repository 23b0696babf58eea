// Bakes two fingerprints into ReportKit: of the code that computes results (Engine, and the C that
// decodes PNGs), which keys memoised experiments, and of the code that turns a cell's results into
// its outputs (Figures, Notebook, ReportKit's cell runtime), which keys cached chapters with it.
// A CLI help string or the site's CSS is in neither: editing it throws nothing away.
import Foundation
import PackagePlugin

@main
struct EngineFingerprint: BuildToolPlugin {
    static let engine: Set<String> = ["Engine", "CPNGCodec"]
    static let presentation: Set<String> = ["Figures", "Notebook", "ReportKit"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        func sources(_ names: Set<String>) -> [URL] {
            context.package.targets
                .compactMap { $0 as? SourceModuleTarget }
                .filter { names.contains($0.name) }
                .flatMap { target in target.sourceFiles.map(\.url).filter { url in
                    // Of ReportKit, only the cell runtime decides what a cell outputs.
                    target.name != "ReportKit" || url.path.contains("/Runtime/")
                } }
                .filter { ["swift", "c", "h"].contains($0.pathExtension) }
                .sorted { $0.path < $1.path }
        }
        let engine = sources(Self.engine), presentation = sources(Self.presentation)
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EngineSourceFingerprint.swift")
        return [
            .buildCommand(
                displayName: "Fingerprinting the engine's sources",
                executable: try context.tool(named: "ChapterCompiler").url,
                arguments: ["--fingerprint", output.path, "\(engine.count)"] + engine.map(\.path) + presentation.map(\.path),
                inputFiles: engine + presentation,
                outputFiles: [output]),
        ]
    }
}
