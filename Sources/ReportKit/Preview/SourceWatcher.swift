// Notices saved edits by polling: each file's size and modification time under the watched folders.
// Polling needs no platform API, and a few hundred files cost well under a millisecond a look.
import Foundation

struct SourceWatcher {
    struct Stamp: Equatable { var size: Int; var modified: Date }

    let root: URL
    /// Paths relative to the root: folders (walked) or single files.
    let watched: [String]

    func snapshot() -> [String: Stamp] {
        var stamps: [String: Stamp] = [:]
        let fm = FileManager.default
        for path in watched {
            let url = root.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else { continue }
            let files: [URL]
            if isDirectory.boolValue {
                let walker = fm.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey, .contentModificationDateKey],
                                           options: [.skipsHiddenFiles])
                files = (walker?.allObjects as? [URL]) ?? []
            } else {
                files = [url]
            }
            for file in files {
                guard let values = try? file.resourceValues(forKeys: [.fileSizeKey, .contentModificationDateKey, .isRegularFileKey]),
                      values.isRegularFile == true else { continue }
                stamps[String(file.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))] =
                    Stamp(size: values.fileSize ?? 0, modified: values.contentModificationDate ?? .distantPast)
            }
        }
        return stamps
    }

    /// What differs between two snapshots: added, removed or changed files, sorted.
    static func changes(from old: [String: Stamp], to new: [String: Stamp]) -> [String] {
        Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
    }
}
