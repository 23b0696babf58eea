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

    /// Every inline code span, in reading order (a depth-first walk).
    func inlineCodeNodes() -> [OpaquePointer] {
        var nodes: [OpaquePointer] = []
        let iterator = cmark_iter_new(root)
        defer { cmark_iter_free(iterator) }
        while cmark_iter_next(iterator) != CMARK_EVENT_DONE {
            if let node = cmark_iter_get_node(iterator), cmark_node_get_type(node) == CMARK_NODE_CODE,
               cmark_iter_get_event_type(iterator) == CMARK_EVENT_ENTER { nodes.append(node) }
        }
        return nodes
    }

    /// Renders to HTML. Top-level code blocks whose position (among code blocks) is in
    /// `placeholders` are replaced by an HTML comment `<!--cell:N-->` that the caller fills in, and
    /// with `inlineValues`, `{swift}` code spans by `<!--inline:N-->` (N their position among them).
    /// Raw HTML in the Markdown is kept when `allowRawHTML` (the chapters are the author's own, trusted text);
    /// without it (Markdown a cell computed) raw HTML is omitted and javascript: links are dropped, as cmark's safe mode does.
    public func html(replacingCodeBlocks placeholders: Set<Int> = [], inlineValues: Bool = false, allowRawHTML: Bool = true) -> String {
        var codeIndex = 0
        for node in topLevelNodes() where cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK {
            defer { codeIndex += 1 }
            guard placeholders.contains(codeIndex) else { continue }
            let replacement = cmark_node_new(CMARK_NODE_HTML_BLOCK)
            cmark_node_set_literal(replacement, MarkdownDocument.placeholder(codeIndex) + "\n")
            cmark_node_replace(node, replacement)
            cmark_node_free(node)
        }
        var inlineIndex = 0
        for node in inlineCodeNodes() where inlineValues && InlineExpression.expression(in: String(cString: cmark_node_get_literal(node))) != nil {
            let replacement = cmark_node_new(CMARK_NODE_HTML_INLINE)
            cmark_node_set_literal(replacement, MarkdownDocument.inlinePlaceholder(inlineIndex))
            cmark_node_replace(node, replacement)
            cmark_node_free(node)
            inlineIndex += 1
        }
        let rendered = cmark_render_html(root, MarkdownDocument.options | (allowRawHTML ? CMARK_OPT_UNSAFE : 0),
                                         cmark_parser_get_syntax_extensions(parser))!
        defer { free(rendered) }
        return String(cString: rendered)
    }

    public static func placeholder(_ index: Int) -> String { "<!--cell:\(index)-->" }
    public static func inlinePlaceholder(_ index: Int) -> String { "<!--inline:\(index)-->" }
}
