import Foundation
import Notebook
@testable import ReportKit
import Testing

/// The PDF edition, read back with poppler's tools as a reader's viewer would: its text, its fonts, its images.
@Suite(.serialized) struct PDFEditionTests {
    static let chapters = ReportRunner.packageRoot.appendingPathComponent("Tests/Fixtures/FixtureChapters")

    /// A poppler tool's output (`pdftotext`, `pdffonts`, `pdfimages` from poppler-utils, which scripts/bootstrap installs).
    func poppler(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(tool) \(arguments.joined(separator: " ")) failed (poppler-utils installed?)")
        return String(decoding: data, as: UTF8.self)
    }

    func imageRows(_ pdf: URL) throws -> [String] {
        try poppler("pdfimages", ["-list", pdf.path]).split(separator: "\n").dropFirst(2).map(String.init)
    }

    @Test func theFixtureReportIsTypesetWithEveryChapterItsTablesFiguresReferencesAndErrors() throws {
        var report = try ReportRunner(binary: "ReportFixtures", chapters: Self.chapters)
        report.pdf = true
        defer { report.remove() }
        let (status, output) = try report.run(["build"])
        #expect(status == 1, "the fixtures' failing cells still fail the build:\n\(output)")
        let site = report.root.appendingPathComponent("output.failed")
        let pdf = site.appendingPathComponent("report.pdf")
        #expect(output.contains("report.pdf: ") && output.contains("LuaLaTeX passes"), "\(output)")
        try #require(FileManager.default.fileExists(atPath: pdf.path), "a failed build's PDF is with its pages:\n\(output)")
        #expect(try report.failedPage("index.html").contains(#"<a class="pdf-edition" href="report.pdf">"#))

        // One line, curly apostrophes as typed: a sentence that wraps still matches.
        let text = try poppler("pdftotext", ["-layout", pdf.path, "-"]).replacingOccurrences(of: "’", with: "'")
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for title in ["Cells", "A cell that throws", "A chapter that crashes", "After the crash", "Contents", "List of Figures", "References"] {
            #expect(text.contains(title), "\(title)")
        }
        // The table's values and its mean row, its caption numbered as on the site; math typeset, not as source.
        #expect(text.contains("bottle 90.0 80.0") && text.contains("mean 80.0 87.5"), "\(text)")
        #expect(text.contains("Table 1: Scores with a mean row."))
        #expect(text.contains("Figure 1: A sweep.") && text.contains("Figure 2: A map."))
        #expect(!text.contains("\\lambda") && !text.contains("KATEXMATH") && !text.contains("REPORTCELL") && !text.contains("REPORTINLINE"))
        // Cross-references with their page; inline values; citations and the reference list.
        #expect(text.range(of: #"See Figure 1 on page \d+ and Table 1 on page \d+"#, options: .regularExpression) != nil, "\(text)")
        #expect(text.contains("two and two make 4") && text.contains("the total is 41"))
        #expect(text.contains("As Roth et al. (2022) showed") && text.contains("(Roth et al., 2022; Li and Zhang, 2024, p. 3)"))
        #expect(text.contains("Towards Total Recall") && text.contains("CVPR, pages 14318–14328"), "the reference list")
        // Code, printed output, the failed cell's box, the crash's box, the note on a cell that did not run.
        #expect(text.contains("total += shots * 41") && text.contains("total: 41"))
        #expect(text.contains("Error at Chapters/02-throws.md:12") && text.contains("Broken: the data folder is empty"))
        #expect(text.contains("This chapter's process crashed.") && text.contains("Not run: an earlier cell stopped the chapter."))
        // The title page names the build.
        #expect(text.contains("Commit") && text.contains("Engine") && text.contains("the embedded synthetic benchmark"))

        let fonts = try poppler("pdffonts", [pdf.path]).split(separator: "\n").dropFirst(2)
        #expect(!fonts.isEmpty)
        for row in fonts {
            // name, type..., then "emb sub uni": each font is embedded.
            let fields = row.split(separator: " ")
            #expect(fields.count >= 5 && fields[fields.count - 5] == "yes", "not embedded: \(row)")
        }

        // Charts are vectors: only the heatmap's rasters are images, in its PDF twin and in the report alike.
        let figures = try FileManager.default.contentsOfDirectory(atPath: site.appendingPathComponent("figures").path).filter { $0.hasSuffix(".pdf") }.sorted()
        let chart = try #require(figures.first { $0.hasPrefix("01-cells-4-1") }), heatmap = try #require(figures.first { $0.hasPrefix("01-cells-4-2") })
        #expect(try imageRows(site.appendingPathComponent("figures/\(chart)")).isEmpty, "the line plot has no raster")
        let rasters = try imageRows(site.appendingPathComponent("figures/\(heatmap)")).count
        #expect(rasters > 0)
        #expect(try imageRows(pdf).count == rasters, "the report's images are the heatmap's")

        let info = try poppler("pdfinfo", [pdf.path])
        let pages = try #require(info.split(separator: "\n").first { $0.hasPrefix("Pages:") }.flatMap { Int($0.split(separator: " ").last!) })
        #expect((6...40).contains(pages), "\(pages) pages")
    }

    @Test func withoutTeXTheSiteIsStillWrittenAndTheErrorNamesWhatToInstall() throws {
        var report = try ReportRunner(binary: "ReportFixtures", chapters: Self.chapters)
        report.pdf = true
        report.environment = [TeXTypesetter.variable: "/no/such/lualatex"]
        defer { report.remove() }
        let (status, output) = try report.run(["build", "--chapter", "01-cells"])
        #expect(status == 1, "\(output)")
        #expect(output.contains("the PDF needs LuaLaTeX from TeX Live, which is not installed: apt-get install texlive-luatex"), "\(output)")
        #expect(output.contains("--no-pdf"))
        #expect(try report.page("index.html").contains("Cells"), "the site is written")
        #expect(!(try report.page("index.html")).contains("pdf-edition"), "and links to no PDF")
        #expect(!FileManager.default.fileExists(atPath: report.root.appendingPathComponent("output/report.pdf").path))

        let skipped = try report.run(["build", "--chapter", "01-cells", "--no-pdf"])
        #expect(skipped.status == 0, "\(skipped.output)")
        #expect(!skipped.output.contains("LuaLaTeX"))
    }

    @Test func aTeXErrorNamesTheLineAndTheLog() {
        let log = "This is LuaHBTeX\n./report.tex:120: Undefined control sequence.\nl.120 \\foo\n\n"
        let message = TeXTypesetter.failure(in: log, log: URL(fileURLWithPath: "/w/report.log"), source: URL(fileURLWithPath: "/w/report.tex"))
        #expect(message.contains("./report.tex:120: Undefined control sequence.") && message.contains("/w/report.log"))
        let missing = TeXTypesetter.failure(in: "! LaTeX Error: File `fvextra.sty' not found.\n", log: URL(fileURLWithPath: "/w/report.log"),
                                            source: URL(fileURLWithPath: "/w/report.tex"))
        #expect(missing.contains("fvextra.sty") && missing.contains("apt-get install texlive-luatex texlive-latex-recommended texlive-latex-extra"))
    }

    @Test func wideTablesWrapTheirColumnsAndTheBestValueIsBold() {
        let narrow = Table(columns: [.text("class"), Table.Column("ours", format: "%.1f"), .published("paper", format: "%.1f")],
                           rows: [[.text("bottle"), .number(90), .number(99)]], boldBestPerRow: true, meanRow: true)
        let latex = LaTeXTable(table: narrow, caption: "Narrow.", label: "tab-n", traced: { text, _ in text }).latex()
        #expect(latex.contains("\\begin{longtable}{@{}lrr@{}}"))
        #expect(latex.contains("\\caption{Narrow.}\\label{tab-n}"))
        #expect(latex.contains("\\relax bottle & \\textbf{90.0} & 99.0 \\\\"), "a published number is never bold: \(latex)")
        #expect(latex.contains("\\midrule\n\\relax mean & \\textbf{90.0} & 99.0 \\\\"))
        #expect(latex.contains("\\endfirsthead") && latex.contains("Table \\thetable, continued") && latex.contains("\\endhead"))
        let wide = Table(columns: [.text(String(repeating: "a long header ", count: 6))] + (1...6).map { Table.Column("method \($0) pixel AUROC") },
                         rows: [[.text("bottle")] + (1...6).map { .number(Double($0)) }])
        let wrapped = LaTeXTable(table: wide, caption: "", label: nil, traced: { text, _ in text }).latex()
        #expect(wrapped.contains("\\footnotesize") && wrapped.contains(">{\\raggedright\\arraybackslash}p{") && wrapped.contains(">{\\raggedleft\\arraybackslash}p{"))
    }

    @Test func citationsAndCrossReferencesInText() throws {
        let bibliography = try Bibliography.parse("@article{roth2022, author = {Roth, Karsten and Pemula, Latha and Zepeda, Joaquin}, year = 2022, title = {PatchCore}}", path: "test.bib")
        let references = LaTeXReferences(bibliography: bibliography)
        let spans = references.spans(in: "As @roth2022 showed [@roth2022, p. 3]; see @fig-auroc, mail a@roth2022.")
        #expect(spans == [.text("As "), .raw("\\hyperlink{ref-roth2022}{Roth et al. (2022)}"), .text(" showed "),
                          .raw("(\\hyperlink{ref-roth2022}{Roth et al., 2022}, p. 3)"), .text("; see "),
                          .raw("\\hyperref[fig-auroc]{Figure~\\ref*{fig-auroc} on page~\\pageref*{fig-auroc}}"), .text(", mail a@roth2022.")])
        #expect(references.spans(in: "no references") == nil)
        #expect(references.referenceChapter().contains("\\item\\hypertarget{ref-roth2022}{}Karsten Roth, Latha Pemula and Joaquin Zepeda (2022). PatchCore."))
    }
}
