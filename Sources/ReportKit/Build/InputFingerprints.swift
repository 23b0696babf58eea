// Identities of what chapter results depend on besides their own cells: the engine's sources
// (fingerprinted at build time by the EngineFingerprint plugin), the dataset folder and the weights file. They key the chapter cache and appear in the footer.
import Engine
import Foundation
import Notebook

struct InputFingerprints: Equatable {
    var engine: String
    var data: String
    var model: String

    static func compute(project: Project, settings: ReportSettings) throws -> InputFingerprints {
        let workspace = Workspace(root: project.root)
        let digests = workspace.featureCache.digests
        // The embedded model counts too, with every file beside it (its JSON, its log, its selection record,
        // which chapters read): retraining it or editing them must not serve the old chapters.
        let model = try settings.weights.map { try file(URL(fileURLWithPath: $0), digests: digests) }
            ?? workspace.embeddedModel.map { "embedded-" + (try folder($0.deletingLastPathComponent(), digests: digests)) } ?? "embedded-none"
        return InputFingerprints(engine: engineSourceFingerprint + "+" + presentationSourceFingerprint,
                                 data: try settings.dataRoot.map { try listing(of: URL(fileURLWithPath: $0), digests: digests) } ?? "embedded",
                                 model: model)
    }

    /// A dataset folder: every file's relative path and content digest (hashed once, then remembered by its status).
    static func listing(of root: URL, digests: FileDigests) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReportError("--data-root \(root.path): no such folder")
        }
        let paths = regularFiles(under: root.path).sorted()
        let hashed: [String]
        do { hashed = try digests.digests(of: paths) } catch { throw ReportError("--data-root: \(error)") }
        return Fingerprint.fnv1a(zip(paths, hashed).map { "\($0.dropFirst(root.path.count))|\($1)" }.joined(separator: "\n"))
    }

    /// Every regular file below `root`, following symbolic links (datasets are often linked in) and
    /// crossing mounts, each folder visited once (a link cycle ends).
    static func regularFiles(under root: String) -> [String] {
        var files: [String] = []
        var visited: Set<[UInt64]> = []
        var folders = [root]
        while let folder = folders.popLast() {
            var info = stat()
            guard stat(folder, &info) == 0, visited.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { continue }
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() {
                let path = folder + "/" + name
                var entry = stat()
                guard stat(path, &entry) == 0 else { continue }
                switch entry.st_mode & S_IFMT {
                case S_IFDIR: folders.append(path)
                case S_IFREG: files.append(path)
                default: continue
                }
            }
        }
        return files
    }

    /// The embedded model's folder: the digests of its files (its README aside), in name order.
    static func folder(_ url: URL, digests: FileDigests) throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0 != "README.md" && !$0.hasPrefix(".") }.sorted()
        let hashed = try digests.digests(of: names.map { url.appendingPathComponent($0).path })
        return String(FileDigests.sha256(Data(zip(names, hashed).map { "\($0)=\($1)" }.joined(separator: "\n").utf8)).prefix(16))
    }

    /// A weights file: the SHA-256 of its bytes (FileIdentity), and of the JSON beside it that completes its architecture.
    static func file(_ url: URL, digests: FileDigests) throws -> String {
        do {
            let weights = try FileIdentity.of(url.path, digests: digests)
            let config = try CLIPWeights.overridesPath(weights: url.path, explicit: nil).map { try FileIdentity.of($0, digests: digests) } ?? "none"
            return String(FileDigests.sha256(Data("\(weights)|\(config)".utf8)).prefix(16))
        } catch { throw ReportError("--weights \(url.path): \(error)") }
    }
}
