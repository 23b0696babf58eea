// The PDF edition's prose: the same cmark-gfm tree as the site's, rendered by cmark-gfm's LaTeX renderer after the
// nodes it leaves out or gets wrong are rewritten as raw LaTeX: code blocks (a wrapping listing), tables (booktabs,
// headers repeated across pages), task-list boxes, footnotes, links between chapters, and the prose's references.
import CCmarkGFM
import Foundation

/// A run of prose text split for the PDF: plain text (escaped by cmark) or LaTeX written as is.
public enum LaTeXSpan: Equatable, Sendable {
    case text(String)
    case raw(String)
}

public struct LaTeXRendering {
    /// Top-level code blocks (by position among them) that are cells: each becomes `MarkdownDocument.latexPlaceholder(N)`.
    public var cells: Set<Int> = []
    /// `{swift}` code spans become `MarkdownDocument.latexInlinePlaceholder(N)`.
    public var inlineValues = false
    /// Splits a text node into spans (citations and cross-references become raw LaTeX); nil: the text as it is.
    public var text: (String) -> [LaTeXSpan]? = { _ in nil }
    /// A link's LaTeX target (`\hyperlink` name) for a URL without a scheme, e.g. another chapter's page; nil: plain text.
    public var internalLink: (String) -> String? = { _ in nil }
    /// An image's path for `\includegraphics`, when it can be included; nil: its alt text in italics.
    public var image: (String) -> String? = { _ in nil }
    public init() {}
}

extension MarkdownDocument {
    public static func latexPlaceholder(_ index: Int) -> String { "REPORTCELL\(index)X" }
    public static func latexInlinePlaceholder(_ index: Int) -> String { "REPORTINLINE\(index)X" }

    /// The document as LaTeX for the PDF's report class: `##` is a \section, `###` a \subsection (the chapter is the \chapter).
    /// Consumes the tree: render a document once.
    public func latex(_ rendering: LaTeXRendering = LaTeXRendering()) -> String {
        replaceCodeBlocks(rendering)
        replaceInlineValues(rendering)
        cmark_consolidate_text_nodes(root)
        // cmark-gfm numbers the references 1, 2... in reading order and appends the definitions in that order.
        var footnotes: [String: String] = [:]
        for (k, node) in nodes(where: { cmark_node_get_type($0) == CMARK_NODE_FOOTNOTE_DEFINITION }).enumerated() {
            footnotes["\(k + 1)"] = Self.trimmed(renderChildren(node))
            cmark_node_unlink(node)
            cmark_node_free(node)
        }
        for node in nodes(where: { cmark_node_get_type($0) == CMARK_NODE_TEXT }) where !Self.insideLink(node) {
            guard let spans = rendering.text(String(cString: cmark_node_get_literal(node))) else { continue }
            replace(node, with: spans)
        }
        for node in nodes(where: { cmark_node_get_type($0) == CMARK_NODE_FOOTNOTE_REFERENCE }) {
            let label = String(cString: cmark_node_get_literal(node))
            replace(node, with: [.raw("\\footnote{\(footnotes[label] ?? "")}")])
        }
        for node in nodes(where: { cmark_node_get_type($0) == CMARK_NODE_HEADING }) {
            cmark_node_set_heading_level(node, max(1, cmark_node_get_heading_level(node) - 1))
        }
        for node in nodes(where: { cmark_node_get_type($0) == CMARK_NODE_ITEM && Self.typeName($0) == "tasklist" }) {
            let box = cmark_gfm_extensions_get_tasklist_item_checked(node) ? "{\\sffamily ☒}\\ " : "{\\sffamily ☐}\\ "
            let inline = Self.rawInline(box)
            if let first = cmark_node_first_child(node), cmark_node_get_type(first) == CMARK_NODE_PARAGRAPH {
                cmark_node_prepend_child(first, inline)
            } else { cmark_node_prepend_child(node, inline) }
        }
        for node in nodes(where: { cmark_node_get_type($0) == CMARK_NODE_LINK }) {
            let url = String(cString: cmark_node_get_url(node))
            guard !url.hasPrefix("#"), !Self.hasScheme(url) else { continue }
            if let target = rendering.internalLink(url) { cmark_node_set_url(node, "#" + target) }
        }
        for node in nodes(where: { cmark_node_get_type($0) == CMARK_NODE_IMAGE }) {
            let url = String(cString: cmark_node_get_url(node))
            let alt = LaTeXText.escape(plainText(node))
            replace(node, with: [.raw(rendering.image(url).map { "\\includegraphics[max width=\\linewidth]{\($0)}" } ?? "\\emph{\(alt)}")])
        }
        // Tables last: their cells are rendered now, with everything above already rewritten inside them.
        for node in nodes(where: { Self.typeName($0) == "table" }) {
            let block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK)
            cmark_node_set_on_enter(block, table(node))
            cmark_node_replace(node, block)
            cmark_node_free(node)
        }
        return render(root)
    }

    // MARK: rewriting the tree

    private func replaceCodeBlocks(_ rendering: LaTeXRendering) {
        var codeIndex = 0
        for node in topLevelNodes() where cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK {
            defer { codeIndex += 1 }
            guard rendering.cells.contains(codeIndex) else { continue }
            let paragraph = cmark_node_new(CMARK_NODE_PARAGRAPH)!
            let token = cmark_node_new(CMARK_NODE_TEXT)
            cmark_node_set_literal(token, Self.latexPlaceholder(codeIndex))
            cmark_node_append_child(paragraph, token)
            cmark_node_replace(node, paragraph)
            cmark_node_free(node)
        }
        // Every other code block, at any depth: a listing that wraps its long lines (`ReportCode`, defined by the preamble).
        for node in nodes(where: { cmark_node_get_type($0) == CMARK_NODE_CODE_BLOCK }) {
            var code = String(cString: cmark_node_get_literal(node))
            if code.hasSuffix("\n") { code.removeLast() }
            let block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK)
            cmark_node_set_on_enter(block, "\\begin{ReportCode}\n\(LaTeXText.verbatim(code))\n\\end{ReportCode}")
            cmark_node_replace(node, block)
            cmark_node_free(node)
        }
    }

    private func replaceInlineValues(_ rendering: LaTeXRendering) {
        guard rendering.inlineValues else { return }
        var inlineIndex = 0
        for node in inlineCodeNodes() where InlineExpression.expression(in: String(cString: cmark_node_get_literal(node))) != nil {
            let token = cmark_node_new(CMARK_NODE_TEXT)
            cmark_node_set_literal(token, Self.latexInlinePlaceholder(inlineIndex))
            cmark_node_replace(node, token)
            cmark_node_free(node)
            inlineIndex += 1
        }
    }

    /// `node` replaced by the spans, in order (plain text stays text, for cmark to escape).
    private func replace(_ node: OpaquePointer, with spans: [LaTeXSpan]) {
        for span in spans {
            switch span {
            case .text(let text):
                guard !text.isEmpty else { continue }
                let piece = cmark_node_new(CMARK_NODE_TEXT)
                cmark_node_set_literal(piece, text)
                cmark_node_insert_before(node, piece)
            case .raw(let latex):
                cmark_node_insert_before(node, Self.rawInline(latex))
            }
        }
        cmark_node_unlink(node)
        cmark_node_free(node)
    }

    static func rawInline(_ latex: String) -> OpaquePointer {
        let node = cmark_node_new(CMARK_NODE_CUSTOM_INLINE)!
        cmark_node_set_on_enter(node, latex)
        return node
    }

    /// A GFM table as a booktabs longtable: its header row repeats on every page it spans.
    private func table(_ node: OpaquePointer) -> String {
        let columns = Int(cmark_gfm_extensions_get_table_columns(node))
        let alignments = cmark_gfm_extensions_get_table_alignments(node)
        let aligned = (0..<columns).map { c -> String in
            switch alignments?[c] ?? 0 {
            case UInt8(ascii: "r"): return "r"
            case UInt8(ascii: "c"): return "c"
            default: return "l"
            }
        }
        var header: [String] = [], body: [[String]] = [], plain = Array(repeating: [String](), count: columns)
        var row = cmark_node_first_child(node)
        while let current = row {
            var cells: [String] = []
            var cell = cmark_node_first_child(current)
            while let c = cell {
                if cells.count < columns { plain[cells.count].append(plainText(c)) }
                cells.append(Self.trimmed(renderChildren(c)))
                cell = cmark_node_next(c)
            }
            cells += Array(repeating: "", count: max(0, columns - cells.count))
            if cmark_gfm_extensions_get_table_row_is_header(current) != 0 { header = cells } else { body.append(cells) }
            row = cmark_node_next(current)
        }
        let (spec, size) = LaTeXColumns.layout(plain, alignments: aligned)
        var out = "{\(size)\n\\begin{longtable}{@{}\(spec)@{}}\n\\toprule\n"
        out += "\\relax " + header.joined(separator: " & ") + " \\\\\n\\midrule\n\\endhead\n\\bottomrule\n\\endlastfoot\n"
        out += body.map { "\\relax " + $0.joined(separator: " & ") + " \\\\\n" }.joined()
        // longtable numbers every table; a Markdown table has no caption, so it takes no number (as on the site).
        return out + "\\end{longtable}}\n\\addtocounter{table}{-1}"
    }

    // MARK: reading the tree

    private func nodes(where keep: (OpaquePointer) -> Bool) -> [OpaquePointer] {
        var found: [OpaquePointer] = []
        let iterator = cmark_iter_new(root)
        defer { cmark_iter_free(iterator) }
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            if cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator), keep(node) { found.append(node) }
        }
        return found
    }

    private func render(_ node: OpaquePointer) -> String {
        let rendered = cmark_render_latex(node, MarkdownDocument.options, 0)!
        defer { free(rendered) }
        return String(cString: rendered)
    }

    private func renderChildren(_ node: OpaquePointer) -> String {
        var out = ""
        var child = cmark_node_first_child(node)
        while let c = child {
            out += render(c)
            child = cmark_node_next(c)
        }
        return out
    }

    /// The text of a node's descendants, without markup (an image's alt text).
    private func plainText(_ node: OpaquePointer) -> String {
        var out = ""
        let iterator = cmark_iter_new(node)
        defer { cmark_iter_free(iterator) }
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            guard cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER, let n = cmark_iter_get_node(iterator),
                  let literal = cmark_node_get_literal(n) else { continue }
            out += String(cString: literal)
        }
        return out
    }

    static func typeName(_ node: OpaquePointer) -> String { String(cString: cmark_node_get_type_string(node)) }

    static func insideLink(_ node: OpaquePointer) -> Bool {
        var parent = cmark_node_parent(node)
        while let p = parent {
            if [CMARK_NODE_LINK, CMARK_NODE_IMAGE].contains(cmark_node_get_type(p)) { return true }
            parent = cmark_node_parent(p)
        }
        return false
    }

    static func hasScheme(_ url: String) -> Bool {
        guard let colon = url.firstIndex(of: ":") else { return false }
        let scheme = url[..<colon]
        return !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
    }

    static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}
