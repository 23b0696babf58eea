import Foundation
import Notebook
@testable import ReportKit
import Testing

/// `ReportFixtures`, a `report` over Tests/Fixtures/FixtureChapters: failures, crashes, escaping, caching.
@Suite(.serialized) struct FixtureChapterTests {
    static let chapters = ReportRunner.packageRoot.appendingPathComponent("Tests/Fixtures/FixtureChapters")

    @Test func failuresAreShownInPlaceAndTheOtherChaptersStillBuild() throws {
        let report = try ReportRunner(binary: "ReportFixtures", chapters: Self.chapters)
        defer { report.remove() }
        let (status, output) = try report.run(["build"])
        #expect(status == 1, "failing cells make the build exit non-zero:\n\(output)")
        // The line that threw (inside a loop's body), not the cell's first.
        #expect(output.contains("Chapters/02-throws.md:12: cell 2: Broken: the data folder is empty"), "\(output)")
        #expect(output.contains("Chapters/03-crash.md:7: the chapter's process crashed: Fatal error: Index out of range; The process was killed by signal 4"), "\(output)")
        #expect(output.contains("@fig-missing refers to no figure or table label"))
        #expect(output.contains("Chapters/04-after.md: table @tab-bare has no caption"))
        #expect(output.contains("Chapters/04-after.md: @nosuchkey is not a key of references.bib"))
        // Citations: in running text and bracketed, linked to the page's reference list; e-mail and code left alone.
        let after = try report.failedPage("04-after.html")
        #expect(after.contains(##"As <a class="cite" href="#ref-roth2022">Roth et al. (2022)</a> showed"##), "\(after)")
        #expect(after.contains(##"(<a class="cite" href="#ref-roth2022">Roth et al., 2022</a>; <a class="cite" href="#ref-li2024">Li and Zhang, 2024</a>, p. 3)"##))
        #expect(after.contains("mail me at a@roth2022 stays text") && after.contains("<code>@roth2022</code>"))
        #expect(after.contains(##"(<a class="cite" href="#ref-roth2022">Roth et al., 2022</a>, pp. 3 &amp; 4)"##), "a locator is escaped once")
        #expect(after.contains(##"<a href="https://example.com/@roth2022">a link naming @roth2022</a>"##), "no citation inside a link")
        // Optionals read as their values; a throwing inline value shows its error and is a build problem, the chapter goes on.
        #expect(after.contains(">0.50</span>") && after.contains(">–</span>"))
        #expect(after.contains("error: CancellationError: CancellationError()"))
        #expect(output.contains("Chapters/04-after.md:20: inline value `try { () throws -> Int in throw CancellationError() }()` threw CancellationError"), "\(output)")
        // Two tables in one labelled cell: two ids, two CSV files.
        #expect(try report.failedPage("tables/tab-two.csv") == "first\r\n1\r\n" && report.failedPage("tables/tab-two-2.csv") == "second\r\n2\r\n")
        #expect(after.contains(#"<li id="ref-roth2022">Karsten Roth, Latha Pemula and Joaquin Zepeda (2022). Towards Total Recall in Industrial Anomaly Detection. <em>CVPR</em>, pages 14318–14328.</li>"#))
        #expect(!output.contains("Chapters/01-cells.md:"), "an error: true cell is not a problem")

        let thrown = try report.failedPage("02-throws.html")
        #expect(thrown.contains("first cell runs"))
        #expect(thrown.contains("<div class=\"cell-error\" role=\"alert\"><strong>Error at Chapters/02-throws.md:12</strong><pre>Broken: the data folder is empty</pre></div>"), "\(thrown)")
        #expect(thrown.contains("Not run: an earlier cell stopped the chapter."))
        #expect(!thrown.contains("<pre class=\"cell-output\">never printed"))

        let crash = try report.failedPage("03-crash.html")
        #expect(crash.contains("<div class=\"chapter-crash\""))
        // The reason and the chapter's line first, the backtrace folded.
        #expect(crash.contains(#"<span class="crash-reason">Fatal error: Index out of range</span> <span class="crash-line">At Chapters/03-crash.md:7:13.</span>"#), "\(crash)")
        if crash.contains("Program crashed") {
            #expect(crash.contains(#"<details class="backtrace"><summary>Backtrace</summary>"#), "the backtrace is folded")
        }
        #expect(crash.contains("<pre class=\"cell-output\">about to crash\n"), "what the crashing cell printed is kept")
        #expect(crash.contains("Fatal error: Index out of range"))
        #expect(crash.contains("was killed by signal"))

        #expect(try report.failedPage("04-after.html").contains("the chapter after a crash still builds"))
        // A cell that never ends is stopped at its chapter's time limit; the build goes on and fails.
        #expect(output.contains("Chapters/05-hangs.md: the chapter's process crashed: The process ran past the chapter's time limit of 3 s"), "\(output)")
        #expect(try report.failedPage("05-hangs.html").contains("about to loop"))
        // A failed build keeps the previous site (here: none) and leaves its pages in output.failed/.
        #expect(!FileManager.default.fileExists(atPath: report.root.appendingPathComponent("output").path))
        #expect(output.contains("this build's pages are in"))
    }

    @Test func cellsShareStateAndTheirOutputIsEscapedNumberedAndLinked() throws {
        let report = try ReportRunner(binary: "ReportFixtures", chapters: Self.chapters)
        defer { report.remove() }
        _ = try report.run(["build"])
        let page = try report.failedPage("index.html")
        #expect(page.contains("total: 41"))
        #expect(page.contains("after the error: total is still 41"), "cells after an error: true cell run")
        #expect(page.contains("before the error"))
        #expect(page.contains("<pre>Expected: expected failure</pre>"))
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(!page.contains("<script>alert"))
        // Markdown a cell computed is rendered without raw HTML or javascript: links.
        #expect(page.contains("computed <strong>bold</strong> <!-- raw HTML omitted -->") && !page.contains("<script>alert('computed')")
                && !page.contains("href=\"javascript:"))
        // Math leaves cmark untouched and is marked for KaTeX; dollars in prose stay text.
        #expect(page.contains(#"<span class="math inline">d(p) = |s_a(p) - \mu| / \sigma</span>"#))
        #expect(page.contains(#"<div class="math display">L_{dev} = \lambda (1 - y)\,|D| + y \max(0, a - D)</div>"#))
        #expect(page.contains("Prices like $5 and $10 stay text."))
        // Code folded by default, open where a cell asks; the summary says how long it is.
        #expect(page.contains(#"<details class="cell-code"><summary>Cell 1 · 3 lines of Swift"#), "\(page)")
        #expect(page.contains(#"<details class="cell-code" open><summary>Cell 2 · 4 lines of Swift"#))
        // Each table as CSV (RFC 4180 quoting), each figure downloadable; a labelled table without a caption is a problem.
        #expect(try report.failedPage("tables/tab-scores.csv") == "class,AUROC,AP\r\nbottle,90.0,80.0\r\nwood,70.0,95.0\r\nmean,80.0,87.5\r\n")
        #expect(try report.failedPage("tables/tab-bare.csv") == "\"a, b\",x\r\n\"say \"\"hi\"\"\",1.00\r\n")
        #expect(page.contains(#"<a class="download" href="tables/tab-scores.csv" download>CSV</a>"#))
        #expect(page.contains(#"<a class="download" href="figures/01-cells-4-1.svg" download>SVG</a>"#))
        // Inline values: each the value after the cells above it, numbers as a table shows them, text escaped.
        #expect(page.contains(#"After two cells the total is <span class="inline-value" title="{swift} total">41</span>, a third of it <span class="inline-value" title="{swift} Double(total) / 3">13.67</span>"#), "\(page)")
        #expect(page.contains(#">&lt;b&gt;1</span> is escaped"#))
        #expect(page.contains(#"Before any cell, two and two make <span class="inline-value" title="{swift} 2 + 2">4</span>"#))
        #expect(page.contains(#"<li><span class="inline-value" title="{swift} total * 2">82</span> shots"#))
        // Cross-references, and none inside code.
        #expect(page.contains(#"See <a class="xref" href="index.html#fig-sweep">Figure 1</a> and <a class="xref" href="index.html#tab-scores">Table 1</a>"#))
        #expect(page.contains("<code>@fig-sweep</code>"))
        #expect(page.contains(#"<figure id="fig-sweep">"#) && page.contains(#"<figure id="fig-sweep-2">"#))
        #expect(page.contains("<td class=\"num\"><strong>90.0</strong></td>"), "best per row in bold")
        #expect(page.contains("<tr class=\"mean\"><td>mean</td><td class=\"num\">80.0</td><td class=\"num\"><strong>87.5</strong></td></tr>"))
        // Figures: the SVG and the PNG have the sizes their drawings ask for.
        let svg = try report.failedPage("figures/01-cells-4-1.svg")
        #expect(svg.contains(#"width="480px" height="340px""#))
        let png = try Data(contentsOf: report.root.appendingPathComponent("output.failed/figures/01-cells-4-2.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 420 && height == 324, "HeatmapPlate of one 120-pt panel at 2 px/pt: \(width)x\(height)")
    }

    @Test func eachKeyKeepsItsEntryAndChaptersThatReadNoInputsIgnoreThem() throws {
        let report = try ReportRunner(binary: "ReportFixtures", chapters: Self.chapters)
        defer { report.remove() }
        let good = report.root.appendingPathComponent("mydata/widget/train/good")
        try FileManager.default.createDirectory(at: good, withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: good.appendingPathComponent("a.png"))
        _ = try report.run(["build"])
        let other = try report.run(["build", "--data-root", report.root.appendingPathComponent("mydata").path])
        #expect(other.output.contains("[1/5] 01-cells.md: unchanged, cached results"), "a chapter that reads no inputs: \(other.output)")
        #expect(other.output.contains("[4/5] 04-after.md: running"), "a chapter that reads them runs on the new data")
        #expect(try report.failedPage("04-after.html").contains("data: given"))
        let back = try report.run(["build"])
        #expect(back.output.contains("[4/5] 04-after.md: unchanged, cached results"), "the default build's entry was kept: \(back.output)")
        #expect(try report.failedPage("04-after.html").contains("data: embedded"))
    }

    @Test func unchangedChaptersAreCachedAndEditsRerunOnlyTheirChapter() throws {
        let report = try ReportRunner(binary: "ReportFixtures", chapters: Self.chapters)
        defer { report.remove() }
        _ = try report.run(["build"])
        let second = try report.run(["build"])
        #expect(second.output.contains("[1/5] 01-cells.md: unchanged, cached results"))
        #expect(second.output.contains("[4/5] 04-after.md: unchanged, cached results"))
        #expect(second.output.contains("[2/5] 02-throws.md: running"), "failed chapters are not cached")
        #expect(try report.failedPage("index.html").contains("total: 41"), "cached outputs are shown")
        #expect(FileManager.default.fileExists(atPath: report.root.appendingPathComponent("output.failed/figures/01-cells-4-2.png").path),
                "cached figures are copied into the new site")

        // A damaged cache entry is never served: it is removed, said so, and the chapter runs again.
        let entries = try FileManager.default.contentsOfDirectory(atPath: report.root.appendingPathComponent(".report-cache/chapters/01-cells").path)
        #expect(entries.count == 1 && entries[0].hasSuffix("-none"), "a chapter that reads no inputs is cached apart from them: \(entries)")
        let entry = report.root.appendingPathComponent(".report-cache/chapters/01-cells/\(entries[0])")
        let cached = entry.appendingPathComponent("figures/01-cells-4-1.svg")
        var svg = try Data(contentsOf: cached)
        svg[svg.count / 2] ^= 0x20
        try svg.write(to: cached)
        let damaged = try report.run(["build"])
        #expect(damaged.output.contains("[1/5] 01-cells.md: cached results damaged (figures/01-cells-4-1.svg): removed, the chapter runs again"), "\(damaged.output)")
        #expect(damaged.output.contains("[1/5] 01-cells.md: running"))
        let record = entry.appendingPathComponent("result.json")
        try String(contentsOf: record, encoding: .utf8).replacingOccurrences(of: "total: 41", with: "total: 42").write(to: record, atomically: true, encoding: .utf8)
        let edited = try report.run(["build"])
        #expect(edited.output.contains("01-cells.md: cached results damaged (result.json)"), "\(edited.output)")
        #expect(try report.failedPage("index.html").contains("total: 41"))

        // Prose is not part of the compiled cells: editing it needs no recompile and reruns nothing.
        try report.edit("01-cells.md") { $0.replacingOccurrences(of: "and the loss is", with: "and the loss reads") }
        let prose = try report.run(["build"])
        #expect(prose.output.contains("[1/5] 01-cells.md: unchanged, cached results"))
        #expect(try report.failedPage("index.html").contains("and the loss reads"))

        let rerun = try report.run(["build", "--rerun", "--chapter", "04-after"])
        #expect(rerun.output.contains("[4/5] 04-after.md: running"))
        #expect(rerun.output.contains("[1/5] 01-cells.md: unchanged, cached results"))
        #expect(rerun.output.contains("[2/5] 02-throws.md: not selected and not cached"))
        #expect(try report.failedPage("02-throws.html").contains("This chapter was not built"))

        // Different inputs are different results for a chapter that reads them: a --data-root reruns it, not the others.
        let data = report.root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data.appendingPathComponent("part/train/good"), withIntermediateDirectories: true)
        let withData = try report.run(["build", "--data-root", data.path])
        #expect(withData.output.contains("[4/5] 04-after.md: running"))
        #expect(withData.output.contains("[1/5] 01-cells.md: unchanged, cached results"))
        #expect(try report.failedPage("index.html").contains("data \(data.path)"))
    }
}

extension FixtureChapterTests {
    @Test func aFailedBuildKeepsThePreviousSiteAndLeavesItsPagesBesideIt() throws {
        let report = try ReportRunner(binary: "ReportFixtures", chapters: Self.chapters)
        defer { report.remove() }
        let good = try report.run(["build", "--chapter", "01-cells"])
        #expect(good.status == 0, "\(good.output)")
        let before = try report.page("index.html")
        let failed = try report.run(["build", "--chapter", "02-throws"])
        #expect(failed.status == 1)
        #expect(try report.page("index.html") == before, "the previous site is unchanged")
        let kept = (try? report.page("02-throws.html")) ?? ""
        #expect(!kept.contains("Broken: the data folder is empty"), "the failed chapter's page is not in the kept site")
        #expect(try report.failedPage("02-throws.html").contains("Broken: the data folder is empty"))
        // The next good build removes the failed pages.
        #expect(try report.run(["build", "--chapter", "01-cells"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: report.root.appendingPathComponent("output.failed").path))
    }

    @Test func signalsAreNamedForWhatTheyUsuallyMean() {
        #expect(ChapterProcess.signalDescription(SIGKILL) == "was killed (signal 9: out of memory, or killed by a user or the system)")
        #expect(ChapterProcess.signalDescription(SIGTRAP).contains("a trap"))
    }
}

/// A build that is killed or interrupted leaves no chapter process running, and no litter the next build keeps.
@Suite(.serialized) struct InterruptedBuildTests {
    /// The pid of the chapter process running `chapter` for the report at `root`, waiting up to 20 s for it to start.
    static func chapterProcess(_ chapter: String, root: URL) -> pid_t? {
        for _ in 0..<200 {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = pid_t(name), let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline") else { continue }
                let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                if arguments.contains("run-chapter"), arguments.contains(chapter), arguments.contains(where: { $0.hasPrefix(root.path) }) { return pid }
            }
            usleep(100_000)
        }
        return nil
    }

    static func gone(_ pid: pid_t, within seconds: Double) -> Bool {
        for _ in 0..<Int(seconds * 10) {
            if kill(pid, 0) != 0 { return true }
            // A zombie is gone for our purpose: it runs nothing.
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), stat.contains(") Z ") { return true }
            usleep(100_000)
        }
        return false
    }

    func start(_ report: ReportRunner, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = report.binary
        process.arguments = arguments
        process.currentDirectoryURL = report.root
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// A build of the chapter that never ends, once its chapter's process is running: the build and that process.
    func hangingBuild(_ report: ReportRunner) throws -> (build: Process, child: pid_t) {
        let build = try start(report, ["build", "--chapter", "05-hangs"])
        return (build, try #require(Self.chapterProcess("05-hangs", root: report.root)))
    }

    @Test func aKilledBuildTakesItsChapterWithItAndTheNextBuildRemovesItsFolders() throws {
        let report = try ReportRunner(binary: "ReportFixtures", chapters: FixtureChapterTests.chapters)
        defer { report.remove() }
        let (build, child) = try hangingBuild(report)
        kill(build.processIdentifier, SIGKILL)
        build.waitUntilExit()
        #expect(Self.gone(child, within: 2), "the chapter's process outlived the killed build")
        let litter = try FileManager.default.contentsOfDirectory(atPath: report.root.path).filter { $0.hasPrefix(".output.") }
        #expect(!litter.isEmpty, "a killed build cannot tidy up after itself")
        _ = try report.run(["build", "--chapter", "04-after"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: report.root.path).filter { $0.hasPrefix(".output.") }.isEmpty)
    }

    @Test func anInterruptedBuildStopsItsChapterRemovesItsFoldersAndKeepsTheSite() throws {
        let report = try ReportRunner(binary: "ReportFixtures", chapters: FixtureChapterTests.chapters)
        defer { report.remove() }
        let (build, child) = try hangingBuild(report)
        kill(build.processIdentifier, SIGTERM)
        build.waitUntilExit()
        #expect(build.terminationStatus == 128 + SIGTERM)
        #expect(Self.gone(child, within: 2))
        #expect(try FileManager.default.contentsOfDirectory(atPath: report.root.path).filter { $0.hasPrefix(".output.") }.isEmpty)
    }
}
