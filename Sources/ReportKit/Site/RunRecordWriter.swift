// Writes output/runs/: one record per experiment a number links to, one list per mean, so every
// measured number's link resolves inside the site.
import Foundation
import Engine

enum RunRecordWriter {
    static func write(results: [ChapterResult], linked: Set<String>, groups: [String: [String]], into site: URL) throws {
        var records: [String: RunRecord] = [:]
        for result in results { records.merge(result.runs ?? [:]) { a, _ in a } }
        guard !linked.isEmpty || !records.isEmpty else { return }
        let folder = site.appendingPathComponent("runs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Every run the chapters used, linked or not: `report runs` and a reader can find them all.
        for (id, record) in records where RunRecord.isValidID(id) { try AtomicFile.write(try encoder.encode(record), to: folder.appendingPathComponent(id + ".json")) }
        for (id, runs) in groups {
            try AtomicFile.write(try encoder.encode(RunGroup(id: id, runs: runs)), to: folder.appendingPathComponent(id + ".json"))
        }
    }
}
