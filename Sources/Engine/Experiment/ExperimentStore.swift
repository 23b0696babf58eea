// Finished experiments on disk, one file per memo key: a checksum line ("DPEXP1 <SHA-256 of the
// JSON>") and the record as JSON, written through a temporary file and a rename. An entry that was
// edited, truncated or does not decode is removed, said so, and the experiment runs again.
import Foundation

public struct ExperimentStore: Sendable {
    public let directory: URL
    static let magic = "DPEXP1 "

    public init(directory: URL) { self.directory = directory }

    func url(_ key: String) -> URL { directory.appendingPathComponent(key + ".json") }

    public func load(_ key: String) -> ExperimentResult? {
        guard let data = try? Data(contentsOf: url(key)) else { return nil }
        guard let result = Self.decode(data) else {
            try? FileManager.default.removeItem(at: url(key))
            Notice.post("experiment memo \(url(key).path): damaged (checksum or format); removed, the experiment runs again")
            return nil
        }
        return result
    }

    public func store(_ result: ExperimentResult, key: String) throws {
        try AtomicFile.write(try Self.encode(result), to: url(key))
    }

    /// Every record in the store (damaged ones are skipped), for listing.
    public func all() -> [(key: String, result: ExperimentResult)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted().compactMap { name in
            let key = String(name.dropLast(5))
            return (try? Data(contentsOf: url(key))).flatMap(Self.decode).map { (key, $0) }
        }
    }

    static func encode(_ result: ExperimentResult) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(result)
        return Data((magic + FileDigests.sha256(json) + "\n").utf8) + json
    }

    static func decode(_ data: Data) -> ExperimentResult? {
        guard let newline = data.firstIndex(of: 0x0A),
              let line = String(data: data[data.startIndex..<newline], encoding: .utf8), line.hasPrefix(magic) else { return nil }
        let json = data[(newline + 1)...]
        guard String(line.dropFirst(magic.count)) == FileDigests.sha256(Data(json)) else { return nil }
        return try? JSONDecoder().decode(ExperimentResult.self, from: json)
    }
}
