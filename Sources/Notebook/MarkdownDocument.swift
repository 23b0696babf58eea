// A GitHub-flavoured Markdown document parsed by cmark-gfm (tables, strikethrough, autolinks, task lists).
import CCmarkGFM
import Foundation

public final class MarkdownDocument {
    let parser: OpaquePointer
    let root: OpaquePointer

    static let extensionNames = ["table", "strikethrough", "autolink", "tasklist"]
    static let options = CMARK_OPT_FOOTNOTES | CMARK_OPT_VALIDATE_UTF8

    public init(_ text: String) {
        cmark_gfm_core_extensions_ensure_registered()
        let parser = cmark_parser_new(MarkdownDocument.options)!
        for name in MarkdownDocument.extensionNames {
            if let ext = cmark_find_syntax_extension(name) {
                cmark_parser_attach_syntax_extension(parser, ext)
            }
        }
        var utf8 = Array(text.utf8)
        utf8.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                cmark_parser_feed(parser, $0, buffer.count)
            }
        }
        self.parser = parser
        root = cmark_parser_finish(parser)
    }

    deinit {
        cmark_node_free(root)
        cmark_parser_free(parser)
    }

    func topLevelNodes() -> [OpaquePointer] {
        var nodes: [OpaquePointer] = []
        var node = cmark_node_first_child(root)
        while let current = node {
            nodes.append(current)
            node = cmark_node_next(current)
        }
        return nodes
    }

    /// Renders to HTML. Top-level code blocks whose position (among code blocks) is in
    /// `placeholders` are replaced by an HTML comment `<!--cell:N-->` that the caller fills in.
    /// Raw HTML in the Markdown is kept when `allowRawHTML` (the chapters are the author's own, trusted text);
    /// without it (Markdown a cell computed) raw HTML is omitted and javascript: links are dropped, as cmark's safe mode does.
    public func html(replacingCodeBlocks placeholders: Set<Int> = [], allowRawHTML: Bool = true) -> String {
        var codeIndex = 0
        for node in topLevelNodes() where cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK {
            defer { codeIndex += 1 }
            guard placeholders.contains(codeIndex) else { continue }
            let replacement = cmark_node_new(CMARK_NODE_HTML_BLOCK)
            cmark_node_set_literal(replacement, MarkdownDocument.placeholder(codeIndex) + "\n")
            cmark_node_replace(node, replacement)
            cmark_node_free(node)
        }
        let rendered = cmark_render_html(root, MarkdownDocument.options | (allowRawHTML ? CMARK_OPT_UNSAFE : 0),
                                         cmark_parser_get_syntax_extensions(parser))!
        defer { free(rendered) }
        return String(cString: rendered)
    }

    public static func placeholder(_ index: Int) -> String { "<!--cell:\(index)-->" }
}
