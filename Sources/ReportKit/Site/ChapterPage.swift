// Renders one chapter and its cells' outputs as the <article> of a page.
import Foundation
import Notebook

struct ChapterPage {
    var chapter: Chapter
    /// nil: the chapter was neither run nor cached in this build.
    var result: ChapterResult?
    var numbering: Numbering
    var fileName: String

    /// Numbers figures and tables across the whole site, in reading order, and records their labels.
    final class Numbering {
        var figures = 0
        var tables = 0
        var references = CrossReferences()
        /// The runs every linked number came from, and the groups a mean was taken over: the site writes their records.
        var linkedRuns: Set<String> = []
        var groups: [String: [String]] = [:]
        /// Files the pages link to besides figures (each table as CSV), by path relative to the site.
        var files: [String: Data] = [:]
        /// What a reader cannot do without: a labelled figure or table with no caption, a citation with no entry.
        var problems: [String] = []
        var citations = Citations(bibliography: Bibliography())
    }

    /// `text` linked to the record of the runs it came from, their summary on hover; as it is when it came from none.
    func traced(_ text: String, runs: [String]) -> String {
        let runs = runs.filter(RunRecord.isValidID)
        guard let href = RunRecord.href(runs) else { return text }
        numbering.linkedRuns.formUnion(runs)
        if runs.count > 1 { numbering.groups[RunRecord.groupID(runs)] = runs }
        let records = runs.compactMap { result?.runs?[$0] }
        let title = records.count == 1 ? records[0].summary : "the mean over \(runs.count) runs (\(records.first.map { $0.configuration.method.rawValue } ?? "experiments")); the link lists them"
        return "<a class=\"run\" href=\"\(HTML.escape(href))\" title=\"\(HTML.escape(title))\">\(text)</a>"
    }

    func articleHTML() -> String {
        let math = MathExtractor(chapter.body)
        let document = MarkdownDocument(math.markdown)
        let cellBlocks = chapter.codeBlocks.filter(\.isCell)
        var html = document.html(replacingCodeBlocks: Set(cellBlocks.map(\.blockIndex)), inlineValues: true)
        html = math.restore(in: html, escape: HTML.escape)
        // Citations in the prose only: before the inline values and the cells' outputs go in.
        let (cited, keys, unknown) = numbering.citations.resolve(html)
        html = cited
        if result != nil {
            numbering.problems += unknown.map { "\(chapter.path): @\($0) is not a key of references.bib (a citation needs its entry)" }
        }
        for value in chapter.inlineExpressions {
            html = html.replacingOccurrences(of: MarkdownDocument.inlinePlaceholder(value.index), with: inlineHTML(value))
        }
        if result == nil {
            html = "<div class=\"cell-note\">This chapter was not built: run <code>report build</code> without --chapter.</div>\n" + html
        }
        if let crash = result?.crash {
            // The reason and the chapter's line first; the log with its backtrace folded under them.
            let report = CrashReport(crash, printed: result?.failedCellText ?? [], chapter: chapter.name)
            var box = "<div class=\"chapter-crash\" role=\"alert\"><strong>This chapter's process crashed.</strong>"
            if let reason = report.reason { box += " <span class=\"crash-reason\">\(HTML.escape(reason))</span>" }
            if let line = report.line { box += " <span class=\"crash-line\">At \(HTML.escape(chapter.path)):\(line)\(report.column.map { ":\($0)" } ?? "").</span>" }
            box += "<p>\(HTML.escape(report.ending))</p>"
            if !report.log.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                box += "<details class=\"crash-log\"><summary>What the process printed last, with its backtrace</summary><pre>\(HTML.escape(report.log))</pre></details>"
            }
            html = box + "</div>\n" + html
        }
        for block in cellBlocks {
            html = html.replacingOccurrences(of: MarkdownDocument.placeholder(block.blockIndex), with: cellHTML(block))
        }
        return html + numbering.citations.referenceList(keys)
    }

    /// An inline value as it reads, its expression on hover; a value the build did not reach says so.
    func inlineHTML(_ value: InlineExpression) -> String {
        let source = HTML.escape("\(InlineExpression.marker) \(value.expression)")
        guard let computed = result?.inlineValues?[value.index] else {
            return "<span class=\"inline-value missing\" title=\"not computed in this build: \(source)\">?</span>"
        }
        if let error = computed.error {
            return "<span class=\"inline-value missing\" role=\"alert\" title=\"\(source) threw \(HTML.escape(error))\">error: \(HTML.escape(error))</span>"
        }
        return "<span class=\"inline-value\" title=\"\(source)\">\(traced(HTML.escape(computed.text), runs: computed.runs))</span>"
    }

    func cellHTML(_ block: CodeBlock) -> String {
        let number = block.cellNumber!
        let cell = result?.cells.first { $0.number == number }
        var out = "<div class=\"cell\" id=\"\(chapter.name)-cell-\(number)\">\n"
        let echo = chapter.echo(of: block)
        if echo != .hide {
            let timing = cell.map { String(format: " · %.2f s", $0.seconds) } ?? ""
            let lines = block.code.split(separator: "\n", omittingEmptySubsequences: false).count
            out += "<details class=\"cell-code\"\(echo == .show ? " open" : "")><summary>Cell \(number) · \(lines) line\(lines == 1 ? "" : "s") of Swift\(timing)</summary>"
            out += "<pre><code class=\"language-swift\">\(HTML.escape(block.code))</code></pre></details>\n"
        }
        guard let cell else { return out + "</div>\n" }
        if cell.status == .notRun {
            out += "<div class=\"cell-note\">Not run: an earlier cell stopped the chapter.</div>\n"
        }
        var figureInCell = 0, tableInCell = 0
        for output in cell.outputs {
            if case .figure = output { figureInCell += 1 }
            if case .table = output { tableInCell += 1 }
            out += render(output, options: block.options, figureInCell: figureInCell, tableInCell: tableInCell, line: cell.line)
        }
        return out + "</div>\n"
    }

    func render(_ output: CellOutput, options: CellOptions, figureInCell: Int, tableInCell: Int = 1, line: Int? = nil) -> String {
        switch output {
        case .text(let text):
            // A crash's backtrace, after the runtime's message, is folded under it.
            let markers = ["*** Signal ", "*** Program crashed", "💣 Program crashed"]
            if let start = markers.compactMap({ text.range(of: $0)?.lowerBound }).min() {
                let message = String(text[..<start]), backtrace = String(text[start...])
                return "<pre class=\"cell-output\">\(HTML.escape(message))</pre>\n"
                    + "<details class=\"backtrace\"><summary>Backtrace</summary><pre class=\"cell-output\">\(HTML.escape(backtrace))</pre></details>\n"
            }
            return "<pre class=\"cell-output\">\(HTML.escape(text))</pre>\n"
        case .markdown(let markdown):
            let math = MathExtractor(markdown)
            return "<div class=\"cell-markdown\">\(math.restore(in: MarkdownDocument(math.markdown).html(allowRawHTML: false), escape: HTML.escape))</div>\n"
        case .error(let message):
            let place = line.map { " at \(HTML.escape(chapter.path)):\($0)" } ?? ""
            return "<div class=\"cell-error\" role=\"alert\"><strong>Error\(place)</strong><pre>\(HTML.escape(message))</pre></div>\n"
        case .figure(let path, let label, let caption):
            numbering.figures += 1
            // The cell's label names its first figure; more figures in the cell get -2, -3...
            let base = label ?? options.label(ofOutput: figureInCell)
            let id = base ?? "\(chapter.name)-figure-\(numbering.figures)"
            if let base { numbering.references.targets[base] = .init(text: "Figure \(numbering.figures)", href: "\(fileName)#\(base)") }
            let text = caption ?? (figureInCell == 1 ? options.caption : nil) ?? ""
            if text.isEmpty, base != nil {
                numbering.problems.append("\(chapter.path): figure @\(base!) has no caption (//| caption: or show(_, caption:))")
            }
            let kind = (path as NSString).pathExtension.uppercased()
            return """
            <figure id="\(HTML.escape(id))"><img src="\(HTML.escape(path))" alt="\(HTML.escape(text))">\
            <figcaption><span class="figure-number">Figure \(numbering.figures).</span> \(HTML.escape(text)) \
            <a class="download" href="\(HTML.escape(path))" download>\(kind)</a></figcaption></figure>

            """
        case .table(let table):
            numbering.tables += 1
            // The cell's label names its first table; more tables in the cell get -2, -3...
            let label = options.label(ofOutput: tableInCell)
            let id = label ?? "\(chapter.name)-table-\(numbering.tables)"
            if let label { numbering.references.targets[label] = .init(text: "Table \(numbering.tables)", href: "\(fileName)#\(label)") }
            let csv = "tables/\(id).csv"
            numbering.files[csv] = Data(table.csv().utf8)
            var out = "<table class=\"result\" id=\"\(HTML.escape(id))\">\n"
            let caption = table.caption ?? options.caption
            if caption == nil, let label {
                numbering.problems.append("\(chapter.path): table @\(label) has no caption (//| caption: or Table(caption:))")
            }
            out += "<caption><span class=\"table-number\">Table \(numbering.tables).</span> \(HTML.escape(caption ?? "")) "
                + "<a class=\"download\" href=\"\(HTML.escape(csv))\" download>CSV</a></caption>\n"
            out += "<thead><tr>" + table.columns.map { "<th>\(HTML.escape($0.title))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for (r, row) in table.displayRows().enumerated() {
                out += table.meanRow && r == table.rows.count ? "<tr class=\"mean\">" : "<tr>"
                for (c, cell) in row.enumerated() {
                    let escaped = traced(HTML.escape(cell.text), runs: cell.runs)
                    let text = cell.bold ? "<strong>\(escaped)</strong>" : escaped
                    out += table.columns[c].numeric ? "<td class=\"num\">\(text)</td>" : "<td>\(text)</td>"
                }
                out += "</tr>\n"
            }
            return out + "</tbody></table>\n"
        }
    }
}
