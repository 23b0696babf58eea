// Renders one chapter and its cells' outputs as the <article> of a page.
import Foundation
import Notebook

struct ChapterPage {
    var chapter: Chapter
    var result: ChapterResult?
    /// Numbers figures and tables across the whole site, in reading order.
    var counters: Counters

    final class Counters {
        var figures = 0
        var tables = 0
    }

    func articleHTML() -> String {
        let document = MarkdownDocument(chapter.body)
        let cellBlocks = chapter.codeBlocks.filter(\.isCell)
        var html = document.html(replacingCodeBlocks: Set(cellBlocks.map(\.blockIndex)))
        if let crash = result?.crash {
            html = "<div class=\"chapter-crash\"><strong>This chapter's process crashed.</strong><pre>\(HTML.escape(crash))</pre></div>\n" + html
        }
        for block in cellBlocks {
            html = html.replacingOccurrences(of: MarkdownDocument.placeholder(block.blockIndex), with: cellHTML(block))
        }
        return html
    }

    func cellHTML(_ block: CodeBlock) -> String {
        let number = block.cellNumber!
        let cell = result?.cells.first { $0.number == number }
        var out = "<div class=\"cell\" id=\"\(chapter.name)-cell-\(number)\">\n"
        if block.options.echo {
            let timing = cell.map { String(format: " · %.2f s", $0.seconds) } ?? ""
            out += "<details class=\"cell-code\" open><summary>Cell \(number)\(timing)</summary>"
            out += "<pre><code class=\"language-swift\">\(HTML.escape(block.code))</code></pre></details>\n"
        }
        guard let cell else {
            return out + "<div class=\"cell-note\">Not run.</div>\n</div>\n"
        }
        if cell.status == .notRun {
            out += "<div class=\"cell-note\">Not run: an earlier cell stopped the chapter.</div>\n"
        }
        for output in cell.outputs {
            out += render(output, options: block.options)
        }
        return out + "</div>\n"
    }

    func render(_ output: CellOutput, options: CellOptions) -> String {
        switch output {
        case .text(let text):
            return "<pre class=\"cell-output\">\(HTML.escape(text))</pre>\n"
        case .markdown(let markdown):
            return "<div class=\"cell-markdown\">\(MarkdownDocument(markdown).html())</div>\n"
        case .error(let message):
            return "<div class=\"cell-error\" role=\"alert\"><strong>Error</strong><pre>\(HTML.escape(message))</pre></div>\n"
        case .figure(let path, let label, let caption):
            counters.figures += 1
            let id = label ?? options.label ?? "\(chapter.name)-figure-\(counters.figures)"
            let text = caption ?? options.caption ?? ""
            return """
            <figure id="\(HTML.escape(id))"><img src="\(HTML.escape(path))" alt="\(HTML.escape(text))">\
            <figcaption><span class="figure-number">Figure \(counters.figures).</span> \(HTML.escape(text))</figcaption></figure>

            """
        case .table(let table):
            counters.tables += 1
            var out = "<table class=\"result\">\n"
            if let caption = table.caption ?? options.caption {
                out += "<caption><span class=\"table-number\">Table \(counters.tables).</span> \(HTML.escape(caption))</caption>\n"
            }
            out += "<thead><tr>" + table.columns.map { "<th>\(HTML.escape($0.title))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for (r, row) in table.displayRows().enumerated() {
                let isMean = table.meanRow && r == table.rows.count
                out += isMean ? "<tr class=\"mean\">" : "<tr>"
                for (c, cell) in row.enumerated() {
                    let text = cell.bold ? "<strong>\(HTML.escape(cell.text))</strong>" : HTML.escape(cell.text)
                    out += table.columns[c].numeric ? "<td class=\"num\">\(text)</td>" : "<td>\(text)</td>"
                }
                out += "</tr>\n"
            }
            return out + "</tbody></table>\n"
        }
    }
}
