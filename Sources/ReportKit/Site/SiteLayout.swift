// The page frame shared by every page: sidebar with the chapters, article, build footer.
import Foundation
import Notebook

struct BuildMetadata {
    var commit: String
    var date: Date
    var engineVersion: String
    var inputs: InputFingerprints
    var settings: ReportSettings

    func footerHTML(cellSeconds: Double?) -> String {
        let formatter = ISO8601DateFormatter()
        let data = settings.dataRoot.map { "data \(HTML.escape($0)) (\(inputs.data))" } ?? "data: embedded default"
        let model = settings.weights.map { "model \(HTML.escape($0)) (\(inputs.model))" } ?? "model: embedded default"
        var parts = ["built \(formatter.string(from: date))", "commit \(HTML.escape(commit))",
                     "engine \(HTML.escape(engineVersion)) (\(inputs.engine))", data, model]
        if let cellSeconds { parts.append(String(format: "cells ran %.2f s", cellSeconds)) }
        return "<footer class=\"build\">" + parts.joined(separator: " · ") + "</footer>"
    }
}

enum SiteLayout {
    static let siteTitle = "DevPrompt Report"

    static func fileName(for chapter: Chapter, index: Int) -> String {
        index == 0 ? "index.html" : "\(chapter.name).html"
    }

    /// `pdf`: the build typeset report.pdf beside the pages, and the sidebar links to it.
    static func page(title: String, chapters: [Chapter], current: Int, article: String, footer: String, pdf: Bool = false) -> String {
        var nav = ""
        for (i, chapter) in chapters.enumerated() {
            let cls = i == current ? " class=\"current\"" : ""
            nav += "<li\(cls)><a href=\"\(fileName(for: chapter, index: i))\">\(HTML.escape(chapter.title))</a></li>\n"
        }
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) · \(siteTitle)</title>
        <link rel="stylesheet" href="assets/katex/katex.min.css">
        <link rel="stylesheet" href="assets/style.css">
        <script defer src="assets/katex/katex.min.js"></script>
        <script defer src="assets/report.js"></script>
        </head>
        <body>
        <nav class="sidebar">
        <a class="site-title" href="index.html">\(siteTitle)</a>
        <ol class="toc">
        \(nav)</ol>
        \(pdf ? "<a class=\"pdf-edition\" href=\"report.pdf\">The PDF edition</a>" : "")
        </nav>
        <main>
        <article>
        <h1 class="chapter-title">\(HTML.escape(title))</h1>
        \(current == 0 ? contents(chapters) : "")\(article)
        </article>
        \(pager(chapters, current: current))
        \(footer)
        </main>
        </body>
        </html>

        """
    }

    /// Links to the previous and the next chapter, in reading order.
    static func pager(_ chapters: [Chapter], current: Int) -> String {
        var links: [String] = []
        if current > 0 {
            let p = current - 1
            links.append("<a rel=\"prev\" href=\"\(fileName(for: chapters[p], index: p))\">← \(HTML.escape(chapters[p].title))</a>")
        }
        if current + 1 < chapters.count {
            let n = current + 1
            links.append("<a rel=\"next\" href=\"\(fileName(for: chapters[n], index: n))\">\(HTML.escape(chapters[n].title)) →</a>")
        }
        return links.isEmpty ? "" : "<nav class=\"pager\">" + links.joined() + "</nav>"
    }

    /// The index page's table of contents: every chapter with its summary.
    static func contents(_ chapters: [Chapter]) -> String {
        var out = "<nav class=\"contents\"><h2>Contents</h2><ol>\n"
        for (i, chapter) in chapters.enumerated() {
            out += "<li><a href=\"\(fileName(for: chapter, index: i))\">\(HTML.escape(chapter.title))</a>"
            if let summary = chapter.frontMatter.summary { out += " <span class=\"summary\">— \(HTML.escape(summary))</span>" }
            out += "</li>\n"
        }
        return out + "</ol></nav>\n"
    }

    static let stylesheet = """
    :root { --text: #222; --muted: #666; --rule: #ddd; --accent: #0072B2; --code-bg: #f6f8fa; --error: #b00020; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.55 "DejaVu Sans", system-ui, sans-serif; color: var(--text); display: flex; }
    .sidebar { width: 250px; min-height: 100vh; padding: 1.2rem 1rem; border-right: 1px solid var(--rule); background: #fafafa; position: sticky; top: 0; align-self: flex-start; }
    .site-title { font-weight: bold; color: var(--text); text-decoration: none; display: block; margin-bottom: 1rem; }
    .toc { padding-left: 1.2rem; margin: 0; }
    .toc li { margin: .3rem 0; }
    .toc li.current a { font-weight: bold; color: var(--text); }
    .pdf-edition { display: block; margin-top: 1.2rem; padding-left: .2rem; }
    a { color: var(--accent); }
    main { flex: 1; min-width: 0; padding: 1.5rem 2.5rem; max-width: 60rem; }
    h1.chapter-title { margin-top: 0; }
    pre { background: var(--code-bg); padding: .7rem; overflow-x: auto; font-size: 13.5px; line-height: 1.4; }
    code { font-family: "DejaVu Sans Mono", monospace; }
    /* A long call or file name in running text breaks rather than widen a phone's page; code blocks scroll. */
    :not(pre) > code { overflow-wrap: anywhere; }
    table { border-collapse: collapse; margin: 1rem 0; font-size: 14.5px; display: block; max-width: 100%; overflow-x: auto; }
    th, td { border-bottom: 1px solid var(--rule); padding: .3rem .7rem; text-align: left; }
    td.num { text-align: right; font-variant-numeric: tabular-nums; }
    tr.mean td { border-top: 2px solid var(--text); font-style: italic; }
    caption { caption-side: top; text-align: left; color: var(--muted); padding-bottom: .3rem; }
    figure { margin: 1.2rem 0; }
    figure img { max-width: 100%; height: auto; border: 1px solid var(--rule); }
    figcaption, .figure-number, .table-number { color: var(--muted); }
    .figure-number, .table-number { font-weight: bold; }
    .cell { margin: 1rem 0; }
    .cell-code summary { cursor: pointer; color: var(--muted); font-size: 13px; }
    .cell-output { background: #fff; border-left: 3px solid var(--rule); white-space: pre-wrap; overflow-wrap: anywhere; }
    .cell-error, .chapter-crash { border: 2px solid var(--error); padding: .5rem .8rem; margin: .6rem 0; background: #fff5f5; }
    .cell-error strong, .chapter-crash strong { color: var(--error); }
    .crash-reason { font-family: "DejaVu Sans Mono", monospace; }
    .crash-log summary, .backtrace summary { cursor: pointer; color: var(--muted); }
    .cell-note { color: var(--muted); font-style: italic; font-size: 14px; }
    .math.display { margin: 1rem 0; overflow-x: auto; }
    .xref-missing { color: var(--error); font-weight: bold; }
    .inline-value { border-bottom: 1px dotted var(--muted); }
    a.cite { text-decoration: none; }
    section.references { margin-top: 2rem; font-size: 14.5px; }
    section.references li { margin: .3rem 0; }
    a.download { font-size: 12px; color: var(--muted); margin-left: .4rem; }
    a.run { color: inherit; text-decoration: none; border-bottom: 1px dotted var(--link, #1a5fb4); }
    a.run:hover { border-bottom-style: solid; }
    .inline-value.missing { color: var(--error); font-weight: bold; }
    nav.contents { border: 1px solid var(--rule); padding: .4rem 1.2rem; margin-bottom: 1.5rem; background: #fcfcfc; }
    nav.contents h2 { font-size: 1.1rem; margin: .5rem 0; }
    nav.contents .summary { color: var(--muted); }
    nav.pager { display: flex; justify-content: space-between; gap: 1rem; margin-top: 2.5rem; padding-top: .8rem; border-top: 1px solid var(--rule); }
    nav.pager a[rel="next"] { margin-left: auto; text-align: right; }
    /* A phone: the chapter list above the article, nothing wider than the screen. */
    @media (max-width: 760px) {
        body { display: block; }
        .sidebar { width: auto; min-height: 0; position: static; border-right: none; border-bottom: 1px solid var(--rule); }
        main { padding: 1rem; }
        h1.chapter-title { font-size: 1.6rem; }
        figure img { width: 100%; }
    }
    /* Paper: no navigation, code and output wrapped, links as plain text. */
    @media print {
        .sidebar, nav.pager { display: none; }
        body { display: block; font-size: 11pt; }
        main { max-width: none; padding: 0; }
        pre { white-space: pre-wrap; overflow: visible; }
        table { display: table; }
        a.run, a { color: inherit; text-decoration: none; border: none; }
        figure, table, pre { break-inside: avoid; }
    }
    footer.build { margin-top: 3rem; padding-top: .6rem; border-top: 1px solid var(--rule); color: var(--muted); font-size: 12.5px; overflow-wrap: anywhere; }

    """
}
