// Finished experiments on disk, one JSON file per memo key, written through a temporary file and a
// rename; an entry that does not decode is removed and the experiment runs again.
import Foundation

public struct ExperimentStore: Sendable {
    public let directory: URL

    public init(directory: URL) { self.directory = directory }

    func url(_ key: String) -> URL { directory.appendingPathComponent(key + ".json") }

    public func load(_ key: String) -> ExperimentResult? {
        guard let data = try? Data(contentsOf: url(key)) else { return nil }
        guard let result = try? JSONDecoder().decode(ExperimentResult.self, from: data) else {
            try? FileManager.default.removeItem(at: url(key))
            return nil
        }
        return result
    }

    public func store(_ result: ExperimentResult, key: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let temporary = directory.appendingPathComponent(".\(key).\(getpid()).part")
        do {
            try encoder.encode(result).write(to: temporary)
            if rename(temporary.path, url(key).path) != 0 { throw EngineError.corrupt(url(key).path, "cannot move the entry into place") }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
