// Runs one chapter in a child process (`report run-chapter`), so a crash in it spares the others.
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
        pipe.fileHandleForReading.readabilityHandler = { handle in collector.append(handle.availableData) }
        try? FileManager.default.removeItem(at: resultURL)
        try process.run()
        process.waitUntilExit()
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
            let how = process.terminationReason == .uncaughtSignal
                ? "was killed by signal \(process.terminationStatus) (a trap: fatalError, a failed precondition, an index out of range...)"
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
}

/// What a chapter's process reports while it runs.
enum ChildProgress: Equatable, Sendable {
    case cell(Int, of: Int)
    /// The engine's own progress line, e.g. "encoding test images 40/150, about 12 s left".
    case engine(String)
}

/// Splits the child's output into progress lines (starting with \u{1}) and everything else,
/// which is kept for a crash report.
final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var log = Data()
    private var pending = Data()
    private let onProgress: @Sendable (ChildProgress) -> Void

    init(onProgress: @escaping @Sendable (ChildProgress) -> Void) { self.onProgress = onProgress }

    func append(_ data: Data) {
        lock.lock(); defer { lock.unlock() }
        pending.append(data)
        while let newline = pending.firstIndex(of: 0x0A) {
            let line = Data(pending[pending.startIndex..<newline])
            pending = Data(pending[(newline + 1)...])
            if let progress = Self.progress(line) { onProgress(progress) } else { log.append(line); log.append(0x0A) }
        }
    }

    func finish() -> Data {
        lock.lock(); defer { lock.unlock() }
        return log + pending
    }

    static func progress(_ line: Data) -> ChildProgress? {
        guard line.first == 0x01, let text = String(data: line.dropFirst(), encoding: .utf8) else { return nil }
        if text.hasPrefix("engine ") { return .engine(String(text.dropFirst(7))) }
        guard text.hasPrefix("cell ") else { return nil }
        let parts = text.dropFirst(5).split(separator: "/")
        guard parts.count == 2, let n = Int(parts[0]), let m = Int(parts[1]) else { return nil }
        return .cell(n, of: m)
    }
}
