// The write rule every command that writes a folder follows: it replaces or removes only a folder
// it made itself (one that carries its marker file), refuses any other non-empty folder and any
// file in the folder's place, and writes the whole folder beside its place before renaming it in,
// so a failed write leaves the old folder (or nothing) and never half of a new one.
import Foundation

public struct OwnedFolder: Sendable {
    /// The marker a command leaves in every folder it writes; its text names the command.
    public static let markerName = ".report-output"

    public let url: URL
    /// The command that writes it ("report eval --save-maps"), named in the marker and in errors.
    public let command: String

    /// `protecting`: folders the output must not contain or be (the project root, the data root, the input files):
    /// replacing such an output would delete them.
    public init(_ path: String, command: String, protecting: [String] = []) throws {
        url = URL(fileURLWithPath: path).standardizedFileURL
        self.command = command
        let target = Self.resolved(url.path)
        for kept in protecting.map(Self.resolved) where kept == target || kept.hasPrefix(target == "/" ? "/" : target + "/") {
            throw EngineError.invalidInput("\(path): refusing to write \(command)'s output here: it holds \(kept), which replacing it would delete")
        }
        try Self.checkReplaceable(url, command: command)
        // The nearest existing folder above must be a folder, or nothing can be made there (found now, not after a long run).
        var ancestor = url.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: ancestor.path) && ancestor.path != "/" { ancestor = ancestor.deletingLastPathComponent() }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw EngineError.invalidInput("\(path): cannot be made: \(ancestor.path) is a file, not a folder")
        }
    }

    /// Absent, an empty folder, or a folder this tool made; anything else is an error naming what is there.
    public static func checkReplaceable(_ url: URL, command: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw EngineError.invalidInput("\(url.path): is a file, not a folder: \(command) writes a folder and does not replace files (choose a new folder)")
        }
        if isOwned(url, by: command) { return }
        let contents: [String]
        do { contents = try fm.contentsOfDirectory(atPath: url.path) }
        catch { throw EngineError.invalidInput("\(url.path): cannot be listed, so it is not replaced (\((error as NSError).localizedFailureReason ?? "\(error)"))") }
        if isOwned(url) {
            throw EngineError.invalidInput("\(url.path): written by another command (\(marker(url) ?? "?")): refusing to replace it with \(command)'s output; choose another folder")
        }
        guard contents.isEmpty else {
            throw EngineError.invalidInput("\(url.path): a folder this tool did not make (no \(markerName) marker) holding \(contents.count) item(s): refusing to replace it; choose a new or empty folder")
        }
    }

    /// Whether the folder carries this tool's marker; with `command`, whether that command wrote it.
    public static func isOwned(_ url: URL, by command: String? = nil) -> Bool {
        guard let text = marker(url) else { return false }
        return command.map { text == Self.markerText($0) } ?? true
    }

    static func marker(_ url: URL) -> String? {
        let path = url.appendingPathComponent(markerName).path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let data = FileManager.default.contents(atPath: path), data.count < 4096 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func markerText(_ command: String) -> String { "written by \(command); this marker lets it replace the folder\n" }

    /// Held while a folder is swapped in: an interrupt handler takes it too, so the process never exits between the two renames.
    public static let swapLock = NSLock()

    /// Writes the folder's whole contents: `body` fills a staging folder beside it, which is renamed into place at the end.
    public func write<T>(_ body: (URL) throws -> T) throws -> T {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent()
        Self.removeStale(besides: url)
        do { try fm.createDirectory(at: parent, withIntermediateDirectories: true) }
        catch { throw EngineError.invalidInput(WriteFailure.describe(error, path: parent.path)) }
        let staging = Self.sibling(of: url, role: "staging")
        try? fm.removeItem(at: staging)
        do { try fm.createDirectory(at: staging, withIntermediateDirectories: false) }
        catch { throw EngineError.invalidInput(WriteFailure.describe(error, path: staging.path)) }
        defer { try? fm.removeItem(at: staging) }
        let value = try body(staging)
        try install(staging)
        return value
    }

    /// Puts a finished folder in this one's place: marks it, checks the place again (it may have changed
    /// while the folder was written), moves the old folder aside, renames the new one in, removes the old.
    public func install(_ finished: URL) throws {
        try markOwned(finished)
        Self.swapLock.lock(); defer { Self.swapLock.unlock() }
        try Self.checkReplaceable(url, command: command)
        let old = Self.sibling(of: url, role: "old")
        if FileManager.default.fileExists(atPath: url.path) {
            guard rename(url.path, old.path) == 0 else { throw EngineError.invalidInput(WriteFailure.describe(errno: errno, path: url.path)) }
        }
        guard rename(finished.path, url.path) == 0 else {
            let code = errno
            _ = rename(old.path, url.path)
            throw EngineError.invalidInput(WriteFailure.describe(errno: code, path: url.path))
        }
        try? FileManager.default.removeItem(at: old)
    }

    /// Makes the folder in place (for outputs written as they go, like checkpoints), with its marker.
    public func createInPlace() throws {
        do { try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        catch { throw EngineError.invalidInput(WriteFailure.describe(error, path: url.path)) }
        try markOwned(url)
    }

    /// Empties the folder (a folder this tool made), keeping the names in `keeping`.
    public func removeContents(keeping: Set<String> = []) throws -> Int {
        let fm = FileManager.default
        guard fm.fileExists(atPath: url.path) else { return 0 }
        var removed = 0
        for name in try fm.contentsOfDirectory(atPath: url.path) where !keeping.contains(name) && name != Self.markerName {
            do { try fm.removeItem(at: url.appendingPathComponent(name)) }
            catch { throw EngineError.invalidInput(WriteFailure.describe(error, path: url.appendingPathComponent(name).path)) }
            removed += 1
        }
        return removed
    }

    func markOwned(_ folder: URL) throws {
        let marker = folder.appendingPathComponent(Self.markerName)
        do { try Data(Self.markerText(command).utf8).write(to: marker) }
        catch { throw EngineError.invalidInput(WriteFailure.describe(error, path: marker.path)) }
    }

    /// `.name.staging-PID` beside the folder: hidden, and named for the process that owns it.
    public static func sibling(of url: URL, role: String) -> URL {
        url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(role)-\(getpid())")
    }

    /// Removes what killed writers left beside the folder (`.name.staging-PID` and the like whose process is gone);
    /// an old folder moved aside by a writer killed between its two renames is put back when nothing replaced it.
    public static func removeStale(besides url: URL) {
        let fm = FileManager.default
        let parent = url.deletingLastPathComponent()
        let prefix = ".\(url.lastPathComponent)."
        for name in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.lastIndex(of: "-"), ["staging", "work", "old"].contains(String(rest[..<dash])),
                  let pid = Int32(rest[rest.index(after: dash)...]), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let stale = parent.appendingPathComponent(name)
            if rest.hasPrefix("old-"), !fm.fileExists(atPath: url.path), rename(stale.path, url.path) == 0 { continue }
            try? fm.removeItem(at: stale)
        }
    }

    /// The path with symbolic links and `..` resolved, so two spellings of one folder compare equal.
    static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
