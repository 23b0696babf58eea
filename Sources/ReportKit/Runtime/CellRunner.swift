// Runs one compiled chapter inside its own process: captures each cell's printed output,
// collects its typed outputs, and saves the results after every cell (so a crash loses nothing before it).
import Figures
import Foundation
import CStdio
import Engine

public final class CellRunner: @unchecked Sendable {
    /// The runner of the chapter being run in this process; `show(...)` reports to it.
    nonisolated(unsafe) public internal(set) static var current: CellRunner?

    let chapter: String
    let cellCount: Int
    /// The site folder being built; figures are written under its `figures/`.
    let siteDirectory: URL
    let resultURL: URL
    let workDirectory: URL
    /// Where progress lines go: the terminal's stderr, kept before capture redirects fd 2.
    let progress: FileHandle?

    private var results: [CellResult] = []
    private var inlineValues: [Int: InlineValue] = [:]
    private var runs: [String: RunRecord] = [:]
    /// Set when a cell reads what the build was pointed at: then the data and model key the chapter's cache entry.
    var readsInputs = false
    var experiments = ExperimentTally()
    private var currentNumber: Int?
    private var currentOutputs: [CellOutput] = []
    private var currentFailed = false
    private var currentErrorLine: Int?
    /// The chapter line of the statement running now; the generated code sets it before each statement.
    public var line = 0
    private var started = Date()
    private var figureCount = 0
    private var savedStdout: Int32 = -1
    private var savedStderr: Int32 = -1

    public init(chapter: String, cellCount: Int, siteDirectory: URL, resultURL: URL, workDirectory: URL, showProgress: Bool) {
        self.chapter = chapter
        self.cellCount = cellCount
        self.siteDirectory = siteDirectory
        self.resultURL = resultURL
        self.workDirectory = workDirectory
        // Unbuffered: if a cell crashes the process, what it printed up to then is already in its file.
        stdio_make_unbuffered()
        savedStdout = dup(STDOUT_FILENO)
        savedStderr = dup(STDERR_FILENO)
        progress = showProgress ? FileHandle(fileDescriptor: savedStderr, closeOnDealloc: false) : nil
        if let channel = progress {
            // The engine's progress goes to the parent on the same channel as cell starts.
            ProgressTracker.sink = { event in channel.write("\u{1}engine \(event.line)\n".data(using: .utf8)!) }
            Notice.sink = { text in channel.write("\u{1}notice \(text.replacingOccurrences(of: "\n", with: " "))\n".data(using: .utf8)!) }
        }
    }

    /// The file that receives cell `number`'s printed output while it runs.
    public static func captureURL(workDirectory: URL, cell number: Int) -> URL {
        workDirectory.appendingPathComponent("cell-\(number).out")
    }

    public func begin(_ number: Int) throws {
        try closeCurrentCell()
        currentNumber = number
        currentOutputs = []
        currentFailed = false
        currentErrorLine = nil
        line = 0
        started = Date()
        progress?.write("\u{1}cell \(number)/\(cellCount)\n".data(using: .utf8)!)
        let url = CellRunner.captureURL(workDirectory: workDirectory, cell: number)
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw RuntimeError("cannot capture output to \(url.path)") }
        fflush(nil)  // every C stream, so printed text lands in this cell
        dup2(fd, STDOUT_FILENO)
        dup2(fd, STDERR_FILENO)
        close(fd)
    }

    /// Inline value `index` (at `line` of the chapter): its expression's value after the cells before it.
    /// An inline value that throws shows its error in place and is a build problem; the chapter goes on.
    public func inline(_ index: Int, line: Int, _ value: () throws -> Any) throws {
        do {
            let computed = try value()
            inlineValues[index] = InlineValue(text: InlineText.of(computed), runs: InlineText.runs(of: computed))
        } catch {
            inlineValues[index] = InlineValue(text: "", runs: [], error: CellRunner.describe(error))
        }
    }

    /// An experiment a cell used: its record goes into the site, and its numbers link to it.
    func note(_ result: ExperimentResult, memoised: Bool) {
        if memoised { experiments.memoised += 1 } else { experiments.ran += 1 }
        if let id = result.runID { runs[id] = RunRecord(result) }
    }

    /// An error caught in a cell marked `error: true`.
    public func record(_ error: Error) {
        currentOutputs.append(.error(CellRunner.describe(error)))
        currentFailed = true
        currentErrorLine = line > 0 ? line : nil
    }

    /// An uncaught error: the current cell failed and the cells after it do not run.
    public func fail(_ error: Error) throws {
        record(error)
        try closeCurrentCell()
        try save(completed: false)
    }

    public func finish() throws {
        try closeCurrentCell()
        try save(completed: true)
    }

    func add(_ output: CellOutput) {
        flushCapturedText()
        currentOutputs.append(output)
    }

    /// Writes a figure into the site and returns its path relative to the site root.
    func writeFigure(_ drawing: Drawing, format: FigureFormat) throws -> String {
        figureCount += 1
        let name = "figures/\(chapter)-\(currentNumber ?? 0)-\(figureCount).\(format.rawValue)"
        let url = siteDirectory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FigureWriter.write(drawing, to: url.path, format: format)
        // The PDF edition draws the same figure on a PDF surface: vectors, with its rasters embedded as images.
        if format != .pdf { try FigureWriter.write(drawing, to: siteDirectory.appendingPathComponent(CellOutput.printPath(of: name)).path, format: .pdf) }
        return name
    }

    /// Text printed since the last typed output becomes a text output of its own, keeping the order.
    private func flushCapturedText() {
        guard let number = currentNumber else { return }
        fflush(nil)  // every C stream, so printed text lands in this cell
        let url = CellRunner.captureURL(workDirectory: workDirectory, cell: number)
        guard let data = try? Data(contentsOf: url), !data.isEmpty else { return }
        currentOutputs.append(.text(String(decoding: data, as: UTF8.self)))
        ftruncate(STDOUT_FILENO, 0)
        lseek(STDOUT_FILENO, 0, SEEK_SET)
    }

    private func closeCurrentCell() throws {
        guard let number = currentNumber else { return }
        flushCapturedText()
        dup2(savedStdout, STDOUT_FILENO)
        dup2(savedStderr, STDERR_FILENO)
        results.append(CellResult(number: number, status: currentFailed ? .failed : .ok, outputs: currentOutputs,
                                  seconds: Date().timeIntervalSince(started), line: currentErrorLine))
        currentNumber = nil
        try save(completed: false)
    }

    private func save(completed: Bool) throws {
        var cells = results
        let done = Set(cells.map(\.number))
        for n in 1...max(cellCount, 1) where n <= cellCount && !done.contains(n) {
            cells.append(CellResult(number: n, status: .notRun, outputs: [], seconds: 0))
        }
        let result = ChapterResult(chapter: chapter, cells: cells.sorted { $0.number < $1.number }, completed: completed, crash: nil,
                                   inlineValues: inlineValues, runs: runs, readsInputs: readsInputs, experiments: experiments)
        try AtomicFile.write(JSONEncoder().encode(result), to: resultURL)
    }

    static func describe(_ error: Error) -> String {
        "\(type(of: error)): \(String(describing: error))"
    }
}

struct RuntimeError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
