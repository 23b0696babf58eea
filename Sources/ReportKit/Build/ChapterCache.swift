// Keeps each chapter's results (and its figures), one entry per key, keyed by everything they depend on,
// so an unchanged chapter is not run again, and switching --data-root or --weights back reruns nothing. Every file of an entry is checksummed: a damaged entry is
// never served.
import Engine
import Foundation
import Notebook

struct ChapterCache {
    var directory: URL
    /// Entries kept per chapter (one per set of inputs it ran on): switching between builds costs nothing.
    static let entriesPerChapter = 8

    init(project: Project) {
        directory = project.root.appendingPathComponent(".report-cache/chapters")
    }

    /// A chapter's cache identity: its code (cells, options, inline values, the engine and presentation sources)
    /// and the data and model it ran on, which count only for a chapter that read them.
    struct Key: Equatable {
        var code: String
        var inputs: String
        /// The entry for a run that read the data or the model, and for one that read neither.
        var withInputs: String { "\(code)-\(inputs)" }
        var withoutInputs: String { "\(code)-none" }
        func entry(for result: ChapterResult) -> String { result.readsInputs == false ? withoutInputs : withInputs }
    }

    /// `record`: what a `build-record: true` chapter is told of the chapters before it; it keys the chapter too.
    static func key(chapter: Chapter, inputs: InputFingerprints, record: BuildRecord? = nil) -> Key {
        let code = "cells=\(Fingerprint.cells(of: chapter));engine=\(inputs.engine)" + (record.map { ";record=" + $0.json } ?? "")
        return Key(code: Fingerprint.fnv1a(code), inputs: Fingerprint.fnv1a("data=\(inputs.data);model=\(inputs.model)"))
    }

    private func folder(_ chapter: String) -> URL { directory.appendingPathComponent(chapter) }
    private func entry(_ chapter: String, _ name: String) -> URL { folder(chapter).appendingPathComponent(name) }

    /// The cached result for this key if one exists and every file of it has the checksum stored with it,
    /// with its figures copied into the site being built. A damaged entry is removed and `log` says so.
    func load(chapter: String, key: Key, into site: URL, log: (String) -> Void = { _ in }) -> ChapterResult? {
        for name in [key.withInputs, key.withoutInputs] where fresh(entry(chapter, name), key: name) {
            if let result = load(entry(chapter, name), into: site, log: log) { return result }
        }
        return nil
    }

    private func fresh(_ entry: URL, key: String) -> Bool {
        (try? String(contentsOf: entry.appendingPathComponent("key"), encoding: .utf8)) == key
    }

    private func load(_ entry: URL, into site: URL, log: (String) -> Void) -> ChapterResult? {
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

    func isFresh(chapter: String, key: Key) -> Bool {
        fresh(entry(chapter, key.withInputs), key: key.withInputs) || fresh(entry(chapter, key.withoutInputs), key: key.withoutInputs)
    }

    /// Where the entry for `result` under `key` lives (for tests and `report list`).
    func entryFolder(chapter: String, key: Key, result: ChapterResult) -> URL { entry(chapter, key.entry(for: result)) }

    /// Stores a finished chapter by the write rule (`OwnedFolder`): written beside the old entry and renamed over it,
    /// so a crash never leaves half an entry. The chapter's oldest entries beyond `entriesPerChapter` go.
    func store(_ result: ChapterResult, key: Key, from site: URL) throws {
        let fm = FileManager.default
        let name = key.entry(for: result)
        let chapter = folder(result.chapter), entry = entry(result.chapter, name)
        let command = "report build's chapter cache"
        // An entry of the earlier layout (one per chapter, its files in the chapter's folder) is the cache's own: it goes.
        if fm.fileExists(atPath: chapter.appendingPathComponent("key").path) { try? fm.removeItem(at: chapter) }
        try fm.createDirectory(at: chapter, withIntermediateDirectories: true)
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
            try Data(name.utf8).write(to: fresh.appendingPathComponent("key"))
        }
        // Keep the most recently stored entries.
        let entries = ((try? fm.contentsOfDirectory(at: chapter, includingPropertiesForKeys: [.contentModificationDateKey])) ?? [])
            .filter { OwnedFolder.isOwned($0, by: command) }
            .sorted { (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate ?? .distantPast) ?? .distantPast
                    > (try? $1.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate ?? .distantPast) ?? .distantPast }
        for old in entries.dropFirst(Self.entriesPerChapter) { try? fm.removeItem(at: old) }
    }

    func clear() throws {
        if FileManager.default.fileExists(atPath: directory.path) { try FileManager.default.removeItem(at: directory) }
    }
}

extension ChapterResult {
    /// Every figure file, the PDF edition's twin of each included.
    var figurePaths: [String] {
        cells.flatMap { $0.outputs }.flatMap { output -> [String] in
            guard case .figure(let path, _, _) = output else { return [] }
            let twin = CellOutput.printPath(of: path)
            return twin == path ? [path] : [path, twin]
        }
    }

    var succeeded: Bool { completed && crash == nil }
}
