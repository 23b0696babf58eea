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
        #expect(output.contains("Chapters/02-throws.md:8: cell 2: Broken: the data folder is empty"))
        #expect(output.contains("Chapters/03-crash.md: the chapter's process crashed"))
        #expect(output.contains("@fig-missing refers to no figure or table label"))
        #expect(!output.contains("Chapters/01-cells.md:"), "an error: true cell is not a problem")

        let thrown = try report.page("02-throws.html")
        #expect(thrown.contains("first cell runs"))
        #expect(thrown.contains("<div class=\"cell-error\" role=\"alert\"><strong>Error</strong><pre>Broken: the data folder is empty</pre></div>"))
        #expect(thrown.contains("Not run: an earlier cell stopped the chapter."))
        #expect(!thrown.contains("<pre class=\"cell-output\">never printed"))

        let crash = try report.page("03-crash.html")
        #expect(crash.contains("<div class=\"chapter-crash\""))
        #expect(crash.contains("<pre class=\"cell-output\">about to crash\n"), "what the crashing cell printed is kept")
        #expect(crash.contains("Fatal error: Index out of range"))
        #expect(crash.contains("was killed by signal"))

        #expect(try report.page("04-after.html").contains("the chapter after a crash still builds"))
    }

    @Test func cellsShareStateAndTheirOutputIsEscapedNumberedAndLinked() throws {
        let report = try ReportRunner(binary: "ReportFixtures", chapters: Self.chapters)
        defer { report.remove() }
        _ = try report.run(["build"])
        let page = try report.page("index.html")
        #expect(page.contains("total: 41"))
        #expect(page.contains("after the error: total is still 41"), "cells after an error: true cell run")
        #expect(page.contains("before the error"))
        #expect(page.contains("<pre>Expected: expected failure</pre>"))
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(!page.contains("<script>alert"))
        // Math leaves cmark untouched and is marked for KaTeX; dollars in prose stay text.
        #expect(page.contains(#"<span class="math inline">d(p) = |s_a(p) - \mu| / \sigma</span>"#))
        #expect(page.contains(#"<div class="math display">L_{dev} = \lambda (1 - y)\,|D| + y \max(0, a - D)</div>"#))
        #expect(page.contains("Prices like $5 and $10 stay text."))
        // Cross-references, and none inside code.
        #expect(page.contains(#"See <a class="xref" href="index.html#fig-sweep">Figure 1</a> and <a class="xref" href="index.html#tab-scores">Table 1</a>"#))
        #expect(page.contains("<code>@fig-sweep</code>"))
        #expect(page.contains(#"<figure id="fig-sweep">"#) && page.contains(#"<figure id="fig-sweep-2">"#))
        #expect(page.contains("<td class=\"num\"><strong>90.0</strong></td>"), "best per row in bold")
        #expect(page.contains("<tr class=\"mean\"><td>mean</td><td class=\"num\">80.0</td><td class=\"num\"><strong>87.5</strong></td></tr>"))
        // Figures: the SVG and the PNG have the sizes their drawings ask for.
        let svg = try report.page("figures/01-cells-4-1.svg")
        #expect(svg.contains(#"width="480px" height="340px""#))
        let png = try Data(contentsOf: report.root.appendingPathComponent("output/figures/01-cells-4-2.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 420 && height == 324, "HeatmapPlate of one 120-pt panel at 2 px/pt: \(width)x\(height)")
    }

    @Test func unchangedChaptersAreCachedAndEditsRerunOnlyTheirChapter() throws {
        let report = try ReportRunner(binary: "ReportFixtures", chapters: Self.chapters)
        defer { report.remove() }
        _ = try report.run(["build"])
        let second = try report.run(["build"])
        #expect(second.output.contains("[1/4] 01-cells.md: unchanged, cached results"))
        #expect(second.output.contains("[4/4] 04-after.md: unchanged, cached results"))
        #expect(second.output.contains("[2/4] 02-throws.md: running"), "failed chapters are not cached")
        #expect(try report.page("index.html").contains("total: 41"), "cached outputs are shown")
        #expect(FileManager.default.fileExists(atPath: report.root.appendingPathComponent("output/figures/01-cells-4-2.png").path),
                "cached figures are copied into the new site")

        // Prose is not part of the compiled cells: editing it needs no recompile and reruns nothing.
        try report.edit("01-cells.md") { $0.replacingOccurrences(of: "and the loss is", with: "and the loss reads") }
        let prose = try report.run(["build"])
        #expect(prose.output.contains("[1/4] 01-cells.md: unchanged, cached results"))
        #expect(try report.page("index.html").contains("and the loss reads"))

        let rerun = try report.run(["build", "--rerun", "--chapter", "04-after"])
        #expect(rerun.output.contains("[4/4] 04-after.md: running"))
        #expect(rerun.output.contains("[1/4] 01-cells.md: unchanged, cached results"))
        #expect(rerun.output.contains("[2/4] 02-throws.md: not selected and not cached"))
        #expect(try report.page("02-throws.html").contains("This chapter was not built"))

        // Different inputs are different results: a --data-root makes the cache stale.
        let data = report.root.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let withData = try report.run(["build", "--data-root", data.path])
        #expect(withData.output.contains("[1/4] 01-cells.md: running"))
        #expect(try report.page("index.html").contains("data \(data.path)"))
    }
}
