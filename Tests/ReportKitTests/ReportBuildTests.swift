import Chapters
import Foundation
@testable import ReportKit
import Testing

/// The real `report` binary on a copy of the package's own chapters.
@Suite(.serialized) struct ReportBuildTests {
    static let chapters = ReportRunner.packageRoot.appendingPathComponent("Chapters")

    @Test func everyChapterOnDiskIsCompiledIntoTheBinary() throws {
        let project = Project(root: ReportRunner.packageRoot)
        let chapters = try project.chapters()
        #expect(!chapters.isEmpty)
        let builder = ReportBuilder(project: project, compiled: compiledChapters, executable: URL(fileURLWithPath: "/"), log: { _ in })
        #expect(try builder.matchCompiled(chapters).map(\.name) == chapters.map(\.name))
    }

    @Test func buildWritesTheSiteWithTableAndValidFigure() throws {
        let report = try ReportRunner(binary: "report", chapters: Self.chapters)
        defer { report.remove() }
        // The first chapter only: the experiment chapters take minutes; CI builds the whole report.
        let (status, output) = try report.run(["build", "--chapter", "00-about"])
        #expect(status == 0, "report build failed:\n\(output)")
        let index = try report.page("index.html")
        #expect(index.contains("<table>"), "the chapter's Markdown table")
        #expect(index.contains("<table class=\"result\""), "the cell's Table")
        #expect(index.contains("DevPrompt (published)"))
        #expect(index.contains("OpenBLAS:"), "printed text is captured")
        #expect(index.contains("<nav class=\"contents\">"), "the index has the table of contents")
        let figure = try #require(index.range(of: #"<img src="(figures/[^"]+\.svg)""#, options: .regularExpression))
        let svg = try report.page(String(index[figure].dropFirst(10).dropLast(1)))
        #expect(svg.hasPrefix("<?xml") && svg.contains("<svg") && svg.hasSuffix("</svg>\n"))
        for asset in ["assets/style.css", "assets/report.js", "assets/katex/katex.min.js", "assets/katex/katex.min.css",
                      "assets/katex/fonts/KaTeX_Main-Regular.woff2"] {
            #expect(FileManager.default.fileExists(atPath: report.root.appendingPathComponent("output/\(asset)").path), "\(asset)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: report.root.path).filter { $0.hasPrefix(".output.") }
        #expect(leftovers.isEmpty, "staging folders are removed: \(leftovers)")

        let listed = try report.run(["list"])
        #expect(listed.status == 0 && listed.output.contains("00-about.md") && listed.output.contains("cached"))

        let cleaned = try report.run(["clean"])
        #expect(cleaned.status == 0)
        #expect(!FileManager.default.fileExists(atPath: report.root.appendingPathComponent("output/index.html").path))
        #expect(try report.run(["list"]).output.contains("stale"), "clean drops the cache too")
    }

    @Test func anEditedChapterIsRefusedAndTheOldSiteStays() throws {
        let report = try ReportRunner(binary: "report", chapters: Self.chapters)
        defer { report.remove() }
        #expect(try report.run(["build", "--chapter", "00-about"]).status == 0)
        let before = try report.page("index.html")
        try report.edit("00-about.md") { $0.replacingOccurrences(of: "print(\"engine version:\"", with: "print(\"engine:\"") }
        let (status, output) = try report.run(["build"])
        #expect(status == 1)
        #expect(output.contains("Chapters/00-about.md changed since `report` was compiled"))
        #expect(try report.page("index.html") == before, "a failed build leaves the last site as it was")
    }

    @Test func badFlagsAreRejectedBeforeAnythingRuns() throws {
        let report = try ReportRunner(binary: "report", chapters: Self.chapters)
        defer { report.remove() }
        let data = try report.run(["build", "--data-root", "/no/such/folder"])
        #expect(data.status != 0 && data.output.contains("--data-root /no/such/folder: no such folder"))
        let chapter = try report.run(["build", "--chapter", "99-nothing"])
        #expect(chapter.status == 1 && chapter.output.contains("--chapter 99-nothing: no Chapters/99-nothing.md"))
    }

    @Test func cellOutputIsEscaped() {
        #expect(HTML.escape("<script>alert('x')</script> & \"q\"") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
    }
}
