// `report build` as named steps: find chapters, check they are compiled, run each in its own
// process, render the pages, and swap the finished site into output/.
import Engine
import Foundation
import Notebook

public struct BuildSummary: Sendable {
    public var chapters: Int
    public var cells: Int
    /// Cells that failed without `error: true`, and crashed chapters: the build exits non-zero.
    public var problems: [String]
    public var output: URL
}

public struct ReportBuilder {
    public var project: Project
    public var compiled: [CompiledChapter]
    public var executable: URL
    public var log: (String) -> Void

    public init(project: Project, compiled: [CompiledChapter], executable: URL, log: @escaping (String) -> Void) {
        self.project = project; self.compiled = compiled; self.executable = executable; self.log = log
    }

    public func build() throws -> BuildSummary {
        let chapters = try project.chapters()
        guard !chapters.isEmpty else { throw ReportError("\(project.chaptersDirectory.path): no .md chapters") }
        let entries = try matchCompiled(chapters)

        let fm = FileManager.default
        let parent = project.output.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(project.output.lastPathComponent).staging-\(getpid())")
        let work = parent.appendingPathComponent(".\(project.output.lastPathComponent).work-\(getpid())")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging.appendingPathComponent("assets"), withIntermediateDirectories: true)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: staging); try? fm.removeItem(at: work) }

        var results: [ChapterResult] = []
        var problems: [String] = []
        let interactive = isatty(STDERR_FILENO) != 0
        for (i, (chapter, entry)) in zip(chapters, entries).enumerated() {
            let prefix = "[\(i + 1)/\(chapters.count)] \(chapter.name).md"
            log(prefix + (entry.cellCount == 0 ? ": no cells" : ": running \(entry.cellCount) cell(s)"))
            let process = ChapterProcess(executable: executable, project: project, chapter: chapter.name,
                                         cellCount: entry.cellCount, siteDirectory: staging, workDirectory: work) { n, m in
                if interactive { FileHandle.standardError.write("\r\(prefix): cell \(n)/\(m)\u{1B}[K".data(using: .utf8)!) }
            }
            let result = try process.run()
            if interactive { FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!) }
            results.append(result)
            if let crash = result.crash {
                problems.append("\(chapter.path): the chapter's process crashed: \(crash.split(separator: "\n").first ?? "")")
            }
            for cell in result.cells where cell.status == .failed {
                let block = chapter.cells.first { $0.cellNumber == cell.number }
                if block?.options.error == true { continue }
                let message = cell.outputs.compactMap { output -> String? in
                    if case .error(let text) = output { return text } else { return nil }
                }.last ?? "failed"
                problems.append("\(chapter.path):\(block?.codeLine ?? 0): cell \(cell.number): \(message)")
            }
        }

        let metadata = BuildMetadata(commit: Self.gitCommit(at: project.root), date: Date(), engineVersion: Engine.version)
        let counters = ChapterPage.Counters()
        for (i, chapter) in chapters.enumerated() {
            let page = ChapterPage(chapter: chapter, result: results[i], counters: counters)
            let seconds = results[i].cells.reduce(0) { $0 + $1.seconds }
            let html = SiteLayout.page(title: chapter.title, chapters: chapters, current: i, article: page.articleHTML(),
                                       footer: metadata.footerHTML(cellSeconds: seconds))
            try AtomicFile.write(html, to: staging.appendingPathComponent(SiteLayout.fileName(for: chapter, index: i)))
        }
        try AtomicFile.write(SiteLayout.stylesheet, to: staging.appendingPathComponent("assets/style.css"))
        try swapIntoPlace(staging)
        return BuildSummary(chapters: chapters.count, cells: entries.reduce(0) { $0 + $1.cellCount },
                            problems: problems, output: project.output)
    }

    /// Each chapter on disk must be the one compiled into this binary, or its cells would not match its text.
    func matchCompiled(_ chapters: [Chapter]) throws -> [CompiledChapter] {
        try chapters.map { chapter in
            guard let entry = compiled.first(where: { $0.name == chapter.name }) else {
                throw ReportError("\(chapter.path) is not compiled into this `report` binary: run `swift run report build`, which compiles new chapters")
            }
            guard entry.fingerprint == Fingerprint.cells(of: chapter) else {
                throw ReportError("\(chapter.path) changed since `report` was compiled: run `swift run report build`, which recompiles it")
            }
            return entry
        }
    }

    /// Replaces output/ by the finished site in two renames; a failed build never gets here.
    func swapIntoPlace(_ staging: URL) throws {
        let fm = FileManager.default
        let output = project.output
        // output/.gitignore keeps generated files out of git; carry it over.
        let ignore = output.appendingPathComponent(".gitignore")
        if let data = fm.contents(atPath: ignore.path) {
            try data.write(to: staging.appendingPathComponent(".gitignore"))
        }
        let old = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).old-\(getpid())")
        if fm.fileExists(atPath: output.path) {
            try fm.moveItem(at: output, to: old)
        }
        do {
            try fm.moveItem(at: staging, to: output)
        } catch {
            try? fm.moveItem(at: old, to: output)
            throw error
        }
        try? fm.removeItem(at: old)
    }

    static func gitCommit(at root: URL) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", root.path, "rev-parse", "--short", "HEAD"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "unknown" }
        process.waitUntilExit()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !text.isEmpty ? text : "unknown"
    }
}
