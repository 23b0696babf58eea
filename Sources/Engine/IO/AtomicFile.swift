import Foundation

/// Writes through a temporary file in the same folder and a rename, so readers see the old or the new
/// file, never half of one; a failure is one readable line naming the path (`WriteFailure`).
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).part")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try data.write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else { throw EngineError.invalidInput(WriteFailure.describe(errno: errno, path: url.path)) }
        } catch let error as EngineError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw EngineError.invalidInput(WriteFailure.describe(error, path: url.path))
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}
