// `report build` as named steps: find the chapters, check they are compiled, run (or reuse) each
// in its own process, render the pages, resolve cross-references, and swap the site into output/.
import Engine
import Foundation
import Notebook

public struct BuildOptions: Sendable {
    /// Run every chapter even when its cached results are current.
    public var rerun = false
    /// Build only these chapters (names without .md); the others keep their cached results.
    public var only: [String] = []
    public var settings = ReportSettings()
    /// Seconds a chapter may run before its process is stopped (a chapter's front matter `timeout:` overrides it).
    public var timeout: TimeInterval = BuildOptions.defaultTimeout
    public static let defaultTimeout: TimeInterval = 4 * 3600
    /// Typeset the PDF edition (output/report.pdf) beside the site.
    public var pdf = true
    public init(rerun: Bool = false, only: [String] = [], settings: ReportSettings = ReportSettings(), timeout: TimeInterval = BuildOptions.defaultTimeout,
                pdf: Bool = true) {
        self.rerun = rerun; self.only = only; self.settings = settings; self.timeout = timeout; self.pdf = pdf
    }
}

public struct BuildSummary: Sendable {
    public var chapters: Int
    public var cells: Int
    public var ran: [String]
    public var cached: [String]
    /// Failed cells (without `error: true`), crashed chapters, broken cross-references: the build exits non-zero.
    public var problems: [String]
    public var output: URL
    /// Where a failed build's pages are, for inspection (the previous site stays in `output`); nil when it succeeded.
    public var failedSite: URL?
    /// The PDF edition: how it went, when it was asked for.
    public var pdf: PDFOutcome?
}

public enum PDFOutcome: Sendable {
    case written(pages: Int?, passes: Int, seconds: Double)
    /// Why there is no PDF (TeX missing, a TeX error): the site was still written, and the build exits non-zero.
    case failed(String)

    public var isWritten: Bool { if case .written = self { true } else { false } }
}

public struct ReportBuilder {
    public var project: Project
    public var compiled: [CompiledChapter]
    public var executable: URL
    public var options: BuildOptions
    public var log: (String) -> Void

    public init(project: Project, compiled: [CompiledChapter], executable: URL, options: BuildOptions = BuildOptions(),
                log: @escaping (String) -> Void) {
        self.project = project; self.compiled = compiled; self.executable = executable; self.options = options; self.log = log
    }

    public func build() throws -> BuildSummary {
        // Step 1: chapters, and the binary's compiled cells for each.
        let chapters = try project.chapters()
        guard !chapters.isEmpty else { throw ReportError("\(project.chaptersDirectory.path): no .md chapters") }
        if let unknown = options.only.first(where: { name in !chapters.contains { $0.name == name } }) {
            throw ReportError("--chapter \(unknown): no Chapters/\(unknown).md (chapters: \(chapters.map(\.name).joined(separator: ", ")))")
        }
        let entries = try matchCompiled(chapters)
        // Citations of Chapters/references.bib, when it is there: read before anything runs, so a broken entry stops the build early.
        let bibURL = project.chaptersDirectory.appendingPathComponent("references.bib")
        let citations: Citations
        do {
            citations = Citations(bibliography: FileManager.default.fileExists(atPath: bibURL.path) ? try Bibliography.read(bibURL) : Bibliography())
        } catch let error as ChapterError { throw ReportError(error.description) }
        if let root = options.settings.dataRoot { try Self.checkDataRoot(root) }
        // The write rule: output/ is replaced only when this tool made it, and never when it holds the project.
        let protected = [project.root.path, project.chaptersDirectory.path] + [options.settings.dataRoot, options.settings.weights].compactMap { $0 }
        let site: OwnedFolder, failedSite: OwnedFolder
        do {
            site = try OwnedFolder(project.output.path, command: "report build", protecting: protected)
            failedSite = try OwnedFolder(project.failedOutput.path, command: "report build", protecting: protected)
        } catch let error as EngineError { throw ReportError(error.description) }
        let inputs = try InputFingerprints.compute(project: project, settings: options.settings)
        let cache = ChapterCache(project: project)

        // Step 2: a staging folder beside output/, swapped in only at the end; what killed builds left there goes.
        let fm = FileManager.default
        OwnedFolder.removeStale(besides: project.output)
        OwnedFolder.removeStale(besides: project.failedOutput)
        let staging = OwnedFolder.sibling(of: project.output, role: "staging"), work = OwnedFolder.sibling(of: project.output, role: "work")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: true)
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        RunningChapter.shared.removeOnInterrupt([staging, work])
        defer { try? fm.removeItem(at: staging); try? fm.removeItem(at: work); RunningChapter.shared.removeOnInterrupt([]) }
        try SiteAssets.write(into: staging)

        // Step 3: run or reuse each chapter.
        var results: [ChapterResult?] = []
        var ran: [String] = [], cached: [String] = []
        var problems: [String] = []
        let interactive = isatty(STDERR_FILENO) != 0
        var record = BuildRecord(chapters: [])
        /// What a chapter with `build-record: true` is told of the ones before it.
        func noteRun(_ chapter: Chapter, _ result: ChapterResult?) {
            guard let result else { return }
            record.chapters.append(.init(chapter: chapter.name, title: chapter.title, cells: result.cells.count,
                                         seconds: result.cells.reduce(0) { $0 + $1.seconds },
                                         experimentsRun: result.experiments?.ran ?? 0, experimentsMemoised: result.experiments?.memoised ?? 0))
        }
        for (i, (chapter, entry)) in zip(chapters, entries).enumerated() {
            let prefix = "[\(i + 1)/\(chapters.count)] \(chapter.name).md"
            let key = ChapterCache.key(chapter: chapter, inputs: inputs, record: chapter.frontMatter.buildRecord ? record : nil)
            var environment = options.settings.environment
            if chapter.frontMatter.buildRecord { environment[BuildRecord.variable] = record.json }
            defer { if results.count == i + 1 { noteRun(chapter, results[i]) } }
            let selected = options.only.isEmpty || options.only.contains(chapter.name)
            if !(options.rerun && selected), let hit = cache.load(chapter: chapter.name, key: key, into: staging, log: { log(prefix + ": " + $0) }) {
                log(prefix + ": unchanged, cached results")
                results.append(hit); cached.append(chapter.name)
                problems += cellProblems(chapter, hit)
                continue
            }
            if !selected {
                log(prefix + ": not selected and not cached: its page says so")
                results.append(nil)
                continue
            }
            log(prefix + (entry.cellCount == 0 ? ": no cells" : ": running \(entry.cellCount) cell(s)"))
            nonisolated(unsafe) let say = log   // called on the output reader's thread, one line at a time
            let process = ChapterProcess(executable: executable, project: project, chapter: chapter.name,
                                         cellCount: entry.cellCount, siteDirectory: staging, workDirectory: work,
                                         environment: environment,
                                         timeout: chapter.frontMatter.timeout ?? options.timeout) { progress in
                if case .notice(let text) = progress {
                    if interactive { StatusLine.shared.clear() }
                    say(prefix + ": " + text)
                    return
                }
                guard interactive else { return }
                StatusLine.shared.update(prefix: prefix, progress)
            }
            let result = try process.run()
            if interactive { StatusLine.shared.clear() }
            results.append(result); ran.append(chapter.name)
            if let tally = result.experiments, tally.memoised + tally.ran > 0 {
                log(prefix + ": experiments: \(tally.memoised) memoised, \(tally.ran) run")
            }
            if result.succeeded { try cache.store(result, key: key, from: staging) }
            if let crash = result.crash {
                let report = CrashReport(crash, printed: result.failedCellText, chapter: chapter.name)
                let place = report.line.map { "\(chapter.path):\($0)" } ?? chapter.path
                problems.append("\(place): the chapter's process crashed: \(report.reason.map { $0 + "; " } ?? "")\(report.ending)")
            }
            problems += cellProblems(chapter, result)
        }

        let metadata = BuildMetadata(commit: Self.gitCommit(at: project.root), date: Date(), engineVersion: Engine.version,
                                     inputs: inputs, settings: options.settings)
        // Step 4: the PDF edition from the same chapters and results, its figures the cells' PDF twins in the site.
        var pdf: PDFOutcome?
        if options.pdf {
            pdf = typesetPDF(chapters: chapters, results: results, bibliography: citations.bibliography, metadata: metadata, site: staging)
            if case .written(let pages, let passes, let seconds) = pdf {
                log(String(format: "report.pdf: %@%d LuaLaTeX passes, %.1f s", pages.map { "\($0) pages, " } ?? "", passes, seconds))
            }
        }

        // Step 5: pages, numbered in reading order, then cross-references across all of them.
        let numbering = ChapterPage.Numbering()
        numbering.citations = citations
        var articles: [String] = []
        for (i, chapter) in chapters.enumerated() {
            let page = ChapterPage(chapter: chapter, result: results[i], numbering: numbering,
                                   fileName: SiteLayout.fileName(for: chapter, index: i))
            articles.append(page.articleHTML())
        }
        for (i, chapter) in chapters.enumerated() {
            let (article, missing) = numbering.references.resolve(articles[i])
            // A chapter not built this time has no figures yet: its page says so, its references wait for it.
            if results[i] != nil { problems += missing.map { "\(chapter.path): @\($0) refers to no figure or table label" } }
            let seconds = results[i]?.cells.reduce(0) { $0 + $1.seconds }
            let html = SiteLayout.page(title: chapter.title, chapters: chapters, current: i, article: article,
                                       footer: metadata.footerHTML(cellSeconds: seconds), pdf: pdf?.isWritten ?? false)
            try AtomicFile.write(html, to: staging.appendingPathComponent(SiteLayout.fileName(for: chapter, index: i)))
        }

        // Each table as CSV, and the pages' own problems (a labelled figure or table without a caption).
        for (path, data) in numbering.files {
            let url = staging.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(data, to: url)
        }
        problems += numbering.problems
        // Every run a number links to, as its record, and each mean's list of runs.
        try RunRecordWriter.write(results: results.compactMap { $0 }, linked: numbering.linkedRuns, groups: numbering.groups, into: staging)

        // Step 6: swap the finished site in; a build with problems keeps the previous site and leaves its pages beside it.
        let carried = fm.contents(atPath: project.output.appendingPathComponent(".gitignore").path)
        if let carried { try carried.write(to: staging.appendingPathComponent(".gitignore")) }
        do {
            if problems.isEmpty {
                try site.install(staging)
                if OwnedFolder.isOwned(project.failedOutput, by: "report build") { try? fm.removeItem(at: project.failedOutput) }
            } else {
                try failedSite.install(staging)
            }
        } catch let error as EngineError { throw ReportError(error.description) }
        return BuildSummary(chapters: chapters.count, cells: entries.reduce(0) { $0 + $1.cellCount },
                            ran: ran, cached: cached, problems: problems, output: project.output,
                            failedSite: problems.isEmpty ? nil : project.failedOutput, pdf: pdf)
    }

    /// The PDF edition typeset into `site`/report.pdf; a missing TeX or a TeX error is reported, never thrown, so the site is still written.
    func typesetPDF(chapters: [Chapter], results: [ChapterResult?], bibliography: Bibliography, metadata: BuildMetadata, site: URL) -> PDFOutcome {
        let started = Date()
        do {
            let engine = try TeXTypesetter.engine()
            let tex = LaTeXDocument(chapters: chapters, results: results, bibliography: bibliography, metadata: metadata, site: site).latex()
            let typesetter = TeXTypesetter(workDirectory: Self.pdfWorkDirectory(project))
            let (pdf, passes) = try typesetter.typeset(tex, site: site, engine: engine)
            let destination = site.appendingPathComponent("report.pdf")
            try? FileManager.default.removeItem(at: destination)
            try FileManager.default.copyItem(at: pdf, to: destination)
            return .written(pages: TeXTypesetter.pages(log: typesetter.workDirectory.appendingPathComponent("report.log")), passes: passes,
                            seconds: Date().timeIntervalSince(started))
        } catch let error as ReportError {
            return .failed(error.description)
        } catch {
            return .failed("the PDF could not be written: \(error)")
        }
    }

    /// LuaLaTeX's files between builds (report.tex, its log, the auxiliary files): `report clean` removes them.
    static func pdfWorkDirectory(_ project: Project) -> URL { project.root.appendingPathComponent(".report-cache/pdf") }

    /// `--data-root` must hold classes: a folder without any is an error, not a report of empty tables.
    static func checkDataRoot(_ root: String) throws {
        let kind = ReportInputs.detectKind(root)
        let classes: [String]
        do { classes = try AnomalyDataset(kind: kind, root: root).classes() }
        catch { throw ReportError("--data-root \(root): \(error)") }
        guard !classes.isEmpty else {
            throw ReportError("--data-root \(root): no classes found (a class is a folder with train/good/ inside, as in MVTec AD, or rows of VisA's split_csv/1cls.csv)")
        }
    }

    func cellProblems(_ chapter: Chapter, _ result: ChapterResult) -> [String] {
        let inline = chapter.inlineExpressions.compactMap { value -> String? in
            result.inlineValues?[value.index]?.error.map { "\(chapter.path):\(value.line): inline value `\(value.expression)` threw \($0)" }
        }
        return inline + result.cells.filter { $0.status == .failed }.compactMap { cell in
            let block = chapter.cells.first { $0.cellNumber == cell.number }
            if block?.options.error == true { return nil }
            let message = cell.outputs.compactMap { output -> String? in
                if case .error(let text) = output { return text } else { return nil }
            }.last ?? "failed"
            return "\(chapter.path):\(cell.line ?? block?.codeLine ?? 0): cell \(cell.number): \(message)"
        }
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

/// The one terminal line that shows where the build is: "[3/9] 04-deviation.md: cell 5/12 · encoding 40/150, about 12 s left".
final class StatusLine: @unchecked Sendable {
    static let shared = StatusLine()
    private let lock = NSLock()
    private var cell = ""
    private var engine = ""

    func update(prefix: String, _ progress: ChildProgress) {
        lock.lock(); defer { lock.unlock() }
        switch progress {
        case .cell(let n, let m): cell = "cell \(n)/\(m)"; engine = ""
        case .engine(let line): engine = line
        case .notice: break
        }
        let text = "\(prefix): \(cell)" + (engine.isEmpty ? "" : " · \(engine)")
        FileHandle.standardError.write("\r\(text)\u{1B}[K".data(using: .utf8)!)
    }

    func clear() {
        lock.lock(); defer { lock.unlock() }
        cell = ""; engine = ""
        FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!)
    }
}
