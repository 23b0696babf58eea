// Runs one chapter in a child process (`report run-chapter`), so a crash in it spares the others.
import Engine
import Foundation

struct ChapterProcess {
    var executable: URL
    var project: Project
    var chapter: String
    var cellCount: Int
    var siteDirectory: URL
    var workDirectory: URL
    /// The child's environment: carries ReportSettings (--data-root, --weights).
    var environment: [String: String]
    /// The chapter's time limit; past it the chapter's process group is stopped and the chapter fails.
    var timeout: TimeInterval
    /// Called as the child starts each cell, and as the engine reports progress inside it.
    var onProgress: @Sendable (ChildProgress) -> Void

    /// Exit status of a chapter process whose cell threw (its results are saved): not a crash.
    static let cellErrorStatus: Int32 = 3

    var resultURL: URL { workDirectory.appendingPathComponent("\(chapter).result.json") }

    func run() throws -> ChapterResult {
        let chapterWork = workDirectory.appendingPathComponent(chapter)
        try FileManager.default.createDirectory(at: chapterWork, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = executable
        process.arguments = ["run-chapter", chapter, "--site", siteDirectory.path, "--result", resultURL.path,
                             "--work", chapterWork.path]
        process.currentDirectoryURL = project.root
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice

        let collector = OutputCollector(onProgress: onProgress)
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            // At end of file the handler would fire again and again: stop it.
            if data.isEmpty { handle.readabilityHandler = nil } else { collector.append(data) }
        }
        try? FileManager.default.removeItem(at: resultURL)
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        let pid = process.processIdentifier
        RunningChapter.shared.started(pid)
        let timedOut = Self.wait(for: process, ended: ended, limit: timeout)
        // Stopped by an interrupt: the handler removes the build's folders and exits; writing on into them would race it.
        while RunningChapter.shared.interrupted { pause() }
        // What the chapter left running in its group (and holding the output pipe) goes with it.
        kill(-pid, SIGKILL)
        RunningChapter.shared.finished()
        pipe.fileHandleForReading.readabilityHandler = nil
        collector.append(pipe.fileHandleForReading.readDataToEndOfFile())
        let log = collector.finish()

        var result = (try? Data(contentsOf: resultURL)).flatMap { try? JSONDecoder().decode(ChapterResult.self, from: $0) }
            ?? ChapterResult(chapter: chapter, cells: (1...max(cellCount, 1)).prefix(cellCount).map {
                CellResult(number: $0, status: .notRun, outputs: [], seconds: 0) }, completed: false, crash: nil)
        let exited = process.terminationReason == .exit
        let finished = exited && process.terminationStatus == 0 && result.completed
        let stoppedByCellError = exited && process.terminationStatus == ChapterProcess.cellErrorStatus
            && result.cells.contains { $0.status == .failed }
        if !finished && !stoppedByCellError {
            result.completed = false
            let how = timedOut ? String(format: "ran past the chapter's time limit of %.0f s and was stopped (report build --timeout, or `timeout:` in the front matter)", timeout)
                : process.terminationReason == .uncaughtSignal ? Self.signalDescription(process.terminationStatus)
                : "exited with status \(process.terminationStatus)"
            // The cell that was running when it died: the first one not run whose capture file exists.
            if let index = result.cells.firstIndex(where: { $0.status == .notRun }) {
                let number = result.cells[index].number
                let capture = CellRunner.captureURL(workDirectory: chapterWork, cell: number)
                if let printed = try? String(contentsOf: capture, encoding: .utf8) {
                    result.cells[index].status = .failed
                    if !printed.isEmpty { result.cells[index].outputs.append(.text(printed)) }
                    result.cells[index].outputs.append(.error("The chapter's process \(how) in this cell."))
                }
            }
            let tail = String(decoding: log, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .suffix(40).joined(separator: "\n")
            result.crash = "The process \(how).\n" + tail
        }
        return result
    }

    /// Waits for the chapter's process; past `limit` stops its whole process group (TERM, then KILL). True when it timed out.
    /// `ended` is signalled by the process's termination handler: Foundation's `waitUntilExit` on Linux
    /// spins its run loop on a thread with nothing to run, taking a core from the chapter.
    static func wait(for process: Process, ended: DispatchSemaphore, limit: TimeInterval) -> Bool {
        guard ended.wait(timeout: .now() + limit) == .timedOut else { return false }
        RunningChapter.stop(process.processIdentifier)
        ended.wait()
        return true
    }

    static func signalDescription(_ signal: Int32) -> String {
        switch signal {
        case SIGKILL: return "was killed (signal 9: out of memory, or killed by a user or the system)"
        case SIGTERM, SIGINT, SIGHUP: return "was stopped by signal \(signal) (\(String(cString: strsignal(signal))))"
        default: return "was killed by signal \(signal) (\(String(cString: strsignal(signal))): a trap: fatalError, a failed precondition, an index out of range...)"
        }
    }
}

/// The chapter process now running, so that an interrupted build (Ctrl-C, SIGTERM) stops it too.
final class RunningChapter: @unchecked Sendable {
    static let shared = RunningChapter()
    private let lock = NSLock()
    private var pid: pid_t?

    private var cleanup: [URL] = []

    func started(_ pid: pid_t) { lock.lock(); self.pid = pid; lock.unlock() }
    /// Folders an interrupted build removes (its staging and work folders).
    func removeOnInterrupt(_ urls: [URL]) { lock.lock(); cleanup = urls; lock.unlock() }

    /// Ctrl-C, SIGTERM or SIGHUP during a build: the chapter's process group is stopped, the build's
    /// temporary folders removed, and the build exits 128 + the signal, leaving the previous site as it was.
    func installInterruptHandlers() {
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            Foundation.signal(signal, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .global())
            source.setEventHandler { [self] in
                lock.lock(); isInterrupted = true; let pid = self.pid, folders = cleanup; lock.unlock()
                // Never between the two renames that swap a finished site in: wait for them, then exit holding the lock.
                OwnedFolder.swapLock.lock()
                if let pid { RunningChapter.stop(pid) }
                for folder in folders { try? FileManager.default.removeItem(at: folder) }
                FileHandle.standardError.write(Data("\nreport build: stopped by signal \(signal); the previous site is unchanged\n".utf8))
                exit(128 + signal)
            }
            source.resume()
            sources.append(source)
        }
    }
    private var sources: [DispatchSourceSignal] = []
    private var isInterrupted = false
    var interrupted: Bool { lock.lock(); defer { lock.unlock() }; return isInterrupted }
    func finished() { lock.lock(); pid = nil; lock.unlock() }
    var current: pid_t? { lock.lock(); defer { lock.unlock() }; return pid }

    /// The chapter runs in its own process group (it calls setpgid first): TERM to the group, KILL after 3 s.
    static func stop(_ pid: pid_t) {
        if kill(-pid, SIGTERM) != 0 { kill(pid, SIGTERM) }
        for _ in 0..<30 {
            usleep(100_000)
            if kill(pid, 0) != 0 { break }
        }
        kill(-pid, SIGKILL); kill(pid, SIGKILL)
    }
}

/// What a chapter's process reports while it runs.
enum ChildProgress: Equatable, Sendable {
    case cell(Int, of: Int)
    /// The engine's own progress line, e.g. "encoding test images 40/150, about 12 s left".
    case engine(String)
    /// Something the build's log should say (a damaged cache entry dropped).
    case notice(String)
}

/// Splits the child's output into progress lines (starting with \u{1}) and everything else,
/// which is kept for a crash report.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var log = Data()
    private var pending = Data()
    private let onProgress: @Sendable (ChildProgress) -> Void

    static let keptBytes = 1 << 20

    init(onProgress: @escaping @Sendable (ChildProgress) -> Void) { self.onProgress = onProgress }

    func append(_ data: Data) {
        lock.lock(); defer { lock.unlock() }
        pending.append(data)
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = Data(pending[pending.startIndex..<newline])
            pending = Data(pending[(newline + 1)...])
            if let progress = Self.progress(line) { onProgress(progress) } else { log.append(line); log.append(0x0A) }
        }
        // Only the tail is kept for a crash report: a chapter printing without end cannot exhaust memory.
        if log.count > Self.keptBytes { log = Data(log.suffix(Self.keptBytes / 2)) }
        if pending.count > Self.keptBytes { log.append(pending.suffix(Self.keptBytes / 2)); pending = Data() }
    }

    func finish() -> Data {
        lock.lock(); defer { lock.unlock() }
        return log + pending
    }

    static func progress(_ line: Data) -> ChildProgress? {
        guard line.first == 0x01, let text = String(data: line.dropFirst(), encoding: .utf8) else { return nil }
        if text.hasPrefix("engine ") { return .engine(String(text.dropFirst(7))) }
        if text.hasPrefix("notice ") { return .notice(String(text.dropFirst(7))) }
        guard text.hasPrefix("cell ") else { return nil }
        let parts = text.dropFirst(5).split(separator: "/")
        guard parts.count == 2, let n = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        return .cell(n, of: m)
    }
}
