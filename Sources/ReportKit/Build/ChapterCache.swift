// Keeps each chapter's last results (and its figures), keyed by everything they depend on,
// so an unchanged chapter is not run again. Every file of an entry is checksummed: a damaged entry is
// never served.
import Engine
import Foundation
import Notebook

struct ChapterCache {
    var directory: URL

    init(project: Project) {
        directory = project.root.appendingPathComponent(".report-cache/chapters")
    }

    /// Cells and their options, plus the engine, data and model fingerprints.
    static func key(chapter: Chapter, inputs: InputFingerprints) -> String {
        Fingerprint.fnv1a("cells=\(Fingerprint.cells(of: chapter));inputs=\(inputs.combined)")
    }

    private func entry(_ chapter: String) -> URL { directory.appendingPathComponent(chapter) }

    /// The cached result if its key matches and every file of the entry has the checksum stored with it,
    /// with its figures copied into the site being built. A damaged entry is removed and `log` says so.
    func load(chapter: String, key: String, into site: URL, log: (String) -> Void = { _ in }) -> ChapterResult? {
        let entry = entry(chapter)
        guard let stored = try? String(contentsOf: entry.appendingPathComponent("key"), encoding: .utf8), stored == key else { return nil }
        func damaged(_ what: String) -> ChapterResult? {
            try? FileManager.default.removeItem(at: entry)
            log("cached results damaged (\(what)): removed, the chapter runs again")
            return nil
        }
        guard let sumsData = try? Data(contentsOf: entry.appendingPathComponent("sums.json")),
              let sums = try? JSONDecoder().decode([String: String].self, from: sumsData) else { return damaged("no checksums") }
        guard let data = try? Data(contentsOf: entry.appendingPathComponent("result.json")),
              sums["result.json"] == FileDigests.sha256(data) else { return damaged("result.json") }
        guard let result = try? JSONDecoder().decode(ChapterResult.self, from: data) else { return damaged("result.json does not decode") }
        for path in result.figurePaths {
            let source = entry.appendingPathComponent(path), destination = site.appendingPathComponent(path)
            guard let bytes = try? Data(contentsOf: source), sums[path] == FileDigests.sha256(bytes) else { return damaged(path) }
            try? FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard (try? bytes.write(to: destination)) != nil else { return nil }
        }
        return result
    }

    func isFresh(chapter: String, key: String) -> Bool {
        (try? String(contentsOf: entry(chapter).appendingPathComponent("key"), encoding: .utf8)) == key
    }

    /// Stores a finished chapter by the write rule (`OwnedFolder`): written beside the old entry and renamed over it,
    /// so a crash never leaves half an entry.
    func store(_ result: ChapterResult, key: String, from site: URL) throws {
        let fm = FileManager.default
        let entry = entry(result.chapter)
        let command = "report build's chapter cache"
        // An entry an earlier version wrote carries no marker; it is the cache's own, so it goes.
        if fm.fileExists(atPath: entry.path), !OwnedFolder.isOwned(entry, by: command) { try? fm.removeItem(at: entry) }
        try OwnedFolder(entry.path, command: command).write { fresh in
            var sums: [String: String] = [:]
            for path in result.figurePaths {
                let bytes = try Data(contentsOf: site.appendingPathComponent(path))
                try AtomicFile.write(bytes, to: fresh.appendingPathComponent(path))
                sums[path] = FileDigests.sha256(bytes)
            }
            let json = try JSONEncoder().encode(result)
            try json.write(to: fresh.appendingPathComponent("result.json"))
            sums["result.json"] = FileDigests.sha256(json)
            try JSONEncoder().encode(sums).write(to: fresh.appendingPathComponent("sums.json"))
            try Data(key.utf8).write(to: fresh.appendingPathComponent("key"))
        }
    }

    func clear() throws {
        if FileManager.default.fileExists(atPath: directory.path) { try FileManager.default.removeItem(at: directory) }
    }
}

extension ChapterResult {
    var figurePaths: [String] {
        cells.flatMap { $0.outputs }.compactMap { output in
            if case .figure(let path, _, _) = output { return path } else { return nil }
        }
    }

    var succeeded: Bool { completed && crash == nil }
}
