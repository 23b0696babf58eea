// Identities of what chapter results depend on besides their own cells: the engine's sources
// (fingerprinted at build time by the EngineFingerprint plugin), the dataset folder and the weights file. They key the chapter cache and appear in the footer.
import Engine
import Foundation
import Notebook

struct InputFingerprints: Equatable {
    var engine: String
    var data: String
    var model: String

    var combined: String { Fingerprint.fnv1a("engine=\(engine);data=\(data);model=\(model)") }

    static func compute(project: Project, settings: ReportSettings) throws -> InputFingerprints {
        InputFingerprints(engine: engineSourceFingerprint,
                          data: try settings.dataRoot.map { try listing(of: URL(fileURLWithPath: $0)) } ?? "embedded",
                          model: try settings.weights.map { try file(URL(fileURLWithPath: $0)) } ?? "embedded")
    }

    /// A dataset folder: every file's relative path, size and modification time (reading every image would take minutes).
    static func listing(of root: URL) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ReportError("--data-root \(root.path): no such folder")
        }
        let keys: [URLResourceKey] = [.fileSizeKey, .contentModificationDateKey, .isRegularFileKey]
        var parts: [String] = []
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: keys)
        while let url = walker?.nextObject() as? URL {
            let values = try? url.resourceValues(forKeys: Set(keys))
            guard values?.isRegularFile == true else { continue }
            parts.append("\(url.path.dropFirst(root.path.count))|\(values?.fileSize ?? 0)|\(values?.contentModificationDate?.timeIntervalSince1970 ?? 0)")
        }
        return Fingerprint.fnv1a(parts.sorted().joined(separator: "\n"))
    }

    /// A weights file: the engine's FileIdentity (size and first and last MiB, hashed), shortened.
    static func file(_ url: URL) throws -> String {
        do { return String(try FileIdentity.of(url.path).prefix(16)) }
        catch { throw ReportError("--weights \(url.path): cannot be read") }
    }
}
