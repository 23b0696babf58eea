// Bakes three fingerprints into ReportKit:
// - engineSourceFingerprint: the code that computes results (Engine with its resources, and the C
//   that decodes PNGs and runs the element-wise kernels); it keys memoised experiments;
// - featureSourceFingerprint: the part of it that turns an image into frozen features (CLIP, images,
//   layers, the transformer, tensors, the kernels, the feature cache); it keys the feature cache, so an edit elsewhere in the engine
//   does not throw away hours of encoding;
// - presentationSourceFingerprint: the code that turns a cell's results into its outputs (Figures,
//   Notebook, ReportKit's cell runtime and workspace); it keys cached chapters with the engine's.
// A CLI help string or the site's CSS is in none: editing it throws nothing away.
import Foundation
import PackagePlugin

@main
struct EngineFingerprint: BuildToolPlugin {
    static let featureFolders = ["/CLIP/", "/Images/", "/Layers/", "/Transformer/", "/Tensor/", "/Cache/FeatureCache.swift", "/Resources/"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let modules = context.package.targets.compactMap { $0 as? SourceModuleTarget }
        func files(_ names: Set<String>, where keep: (URL) -> Bool = { _ in true }) -> [URL] {
            modules.filter { names.contains($0.name) }
                .flatMap { module in module.sourceFiles.map(\.url).filter { url in
                    ["swift", "c", "h", "gz", "txt"].contains(url.pathExtension)
                        // Of ReportKit, only the cell runtime and the workspace decide what a cell outputs.
                        && (module.name != "ReportKit" || url.path.contains("/Runtime/") || url.path.contains("/Workspace/"))
                } }
                .filter(keep)
                .sorted { $0.path < $1.path }
        }
        let engine = files(["Engine", "CPNGCodec", "CKernels"])
        let feature = files(["Engine", "CPNGCodec", "CKernels"]) { url in url.pathExtension != "swift" || Self.featureFolders.contains { url.path.contains($0) } }
        let presentation = files(["Figures", "Notebook", "ReportKit"])
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EngineSourceFingerprint.swift")
        return [
            .buildCommand(
                displayName: "Fingerprinting the engine's sources",
                executable: try context.tool(named: "ChapterCompiler").url,
                arguments: ["--fingerprint", output.path, "engineSourceFingerprint=\(engine.count)", "featureSourceFingerprint=\(feature.count)",
                            "presentationSourceFingerprint=\(presentation.count)"] + (engine + feature + presentation).map(\.path),
                inputFiles: engine + presentation,
                outputFiles: [output]),
        ]
    }
}
