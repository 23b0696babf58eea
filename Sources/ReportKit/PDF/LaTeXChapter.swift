// One chapter of the PDF edition: its prose through cmark-gfm's LaTeX renderer, its cells' outputs as the site shows
// them (code listings, printed text verbatim, tables with booktabs, figures from their PDF twins, error boxes).
// Figures and tables are numbered by LaTeX in the site's order, so "Figure 3" is the same figure in both editions.
import Foundation
import Notebook

struct LaTeXChapter {
    var chapter: Chapter
    /// nil: the chapter was neither run nor cached in this build.
    var result: ChapterResult?
    var references: LaTeXReferences
    /// The names of every chapter, for links between their pages.
    var chapterNames: [String]
    /// The site being built: figures are included from it.
    var site: URL

    static func target(_ chapterName: String) -> String { "chapter-" + chapterName }

    func latex() -> String {
        var out = "\\chapter{\(LaTeXText.escape(chapter.title))}\\label{\(Self.target(chapter.name))}\\hypertarget{\(Self.target(chapter.name))}{}\n"
        if result == nil {
            out += "\\begin{ReportNote}This chapter was not built: run \\texttt{report build} without \\texttt{--chapter}.\\end{ReportNote}\n"
        }
        if let crash = result?.crash {
            let report = CrashReport(crash, printed: result?.failedCellText ?? [], chapter: chapter.name)
            var title = "This chapter's process crashed."
            if let reason = report.reason { title += " " + reason }
            if let line = report.line { title += " At \(chapter.path):\(line)\(report.column.map { ":\($0)" } ?? "")." }
            out += box("ReportError", title: title, text: report.ending)
        }
        let math = MathExtractor(chapter.body)
        let cellBlocks = chapter.codeBlocks.filter(\.isCell)
        var rendering = LaTeXRendering()
        rendering.cells = Set(cellBlocks.map(\.blockIndex))
        rendering.inlineValues = true
        rendering.text = { [references] in references.spans(in: $0) }
        rendering.internalLink = { [chapterNames] url in
            let page = String(url.split(separator: "#", maxSplits: 1).first ?? "")
            if page == "index.html", let first = chapterNames.first { return Self.target(first) }
            let name = page.hasSuffix(".html") ? String(page.dropLast(5)) : page
            return chapterNames.contains(name) ? Self.target(name) : nil
        }
        rendering.image = { [site] path in
            let ext = (path as NSString).pathExtension.lowercased()
            guard ["png", "jpg", "jpeg", "pdf"].contains(ext), !path.contains(".."),
                  FileManager.default.fileExists(atPath: site.appendingPathComponent(path).path) else { return nil }
            return path
        }
        var body = math.restoreLaTeX(in: MarkdownDocument(math.markdown).latex(rendering))
        for value in chapter.inlineExpressions {
            body = body.replacingOccurrences(of: MarkdownDocument.latexInlinePlaceholder(value.index), with: inline(value))
        }
        // Reversed: cell 12's token must not be read as cell 1's.
        for block in cellBlocks.reversed() {
            body = body.replacingOccurrences(of: MarkdownDocument.latexPlaceholder(block.blockIndex), with: cell(block))
        }
        return out + body
    }

    /// An inline value as it reads, linked to its runs' record; one the build did not reach says so.
    func inline(_ value: InlineExpression) -> String {
        guard let computed = result?.inlineValues?[value.index] else { return "\\textcolor{ReportRed}{?}" }
        if let error = computed.error { return "\\textcolor{ReportRed}{error: \(LaTeXText.escape(error))}" }
        return traced(LaTeXText.escape(computed.text), runs: computed.runs)
    }

    /// A measured number linked to the record of its runs, which the site beside the PDF holds.
    func traced(_ latex: String, runs: [String]) -> String {
        guard let href = RunRecord.href(runs.filter(RunRecord.isValidID)) else { return latex }
        return "\\href{\(href)}{\(latex)}"
    }

    func cell(_ block: CodeBlock) -> String {
        let number = block.cellNumber!
        let cell = result?.cells.first { $0.number == number }
        var out = ""
        if chapter.echo(of: block) != .hide {
            let lines = block.code.split(separator: "\n", omittingEmptySubsequences: false).count
            let timing = cell.map { String(format: " · %.2f s", $0.seconds) } ?? ""
            out += "\\ReportCellHeader{Cell \(number) · \(lines) line\(lines == 1 ? "" : "s") of Swift\(timing)}\n"
            out += "\\begin{ReportCode}\n\(LaTeXText.verbatim(block.code))\n\\end{ReportCode}\n"
        }
        guard let cell else { return out }
        if cell.status == .notRun {
            out += "\\begin{ReportNote}Not run: an earlier cell stopped the chapter.\\end{ReportNote}\n"
        }
        var figureInCell = 0, tableInCell = 0
        for output in cell.outputs {
            if case .figure = output { figureInCell += 1 }
            if case .table = output { tableInCell += 1 }
            out += render(output, options: block.options, figureInCell: figureInCell, tableInCell: tableInCell, line: cell.line)
        }
        return out
    }

    func render(_ output: CellOutput, options: CellOptions, figureInCell: Int, tableInCell: Int, line: Int?) -> String {
        switch output {
        case .text(let text):
            var printed = text
            while printed.hasSuffix("\n") { printed.removeLast() }
            guard !printed.isEmpty else { return "" }
            return "\\begin{ReportOutput}\n\(LaTeXText.verbatim(printed))\n\\end{ReportOutput}\n"
        case .markdown(let markdown):
            let math = MathExtractor(markdown)
            return math.restoreLaTeX(in: MarkdownDocument(math.markdown).latex()) + "\n"
        case .error(let message):
            return box("ReportError", title: "Error" + (line.map { " at \(chapter.path):\($0)" } ?? ""), text: message)
        case .figure(let path, let label, let caption):
            // Labels as the site gives them: the cell's names its first figure, more get -2, -3...
            let base = label ?? options.label(ofOutput: figureInCell)
            let text = caption ?? (figureInCell == 1 ? options.caption : nil) ?? ""
            let twin = CellOutput.printPath(of: path)
            let file = FileManager.default.fileExists(atPath: site.appendingPathComponent(twin).path) ? twin : path
            var out = "\\begin{figure}[H]\n\\centering\n"
            out += "\\includegraphics[max width=\\linewidth,max totalheight=0.62\\textheight,keepaspectratio]{\(file)}\n"
            out += "\\caption{\(LaTeXText.escape(text))}" + (base.map { "\\label{\($0)}" } ?? "") + "\n\\end{figure}\n"
            return out
        case .table(let table):
            let label = options.label(ofOutput: tableInCell)
            return LaTeXTable(table: table, caption: table.caption ?? options.caption ?? "", label: label, traced: traced).latex()
        }
    }

    /// A coloured box with a bold title and the text verbatim.
    func box(_ environment: String, title: String, text: String) -> String {
        "\\begin{\(environment)}{\(LaTeXText.escape(title))}\n\\begin{Verbatim}[breaklines,breakanywhere,fontsize=\\footnotesize]\n\(LaTeXText.verbatim(text))\n\\end{Verbatim}\n\\end{\(environment)}\n"
    }
}
