// An inline value in a chapter's prose, knitr's inline `r`: the code span `{swift} expression`
// renders as the value the expression has after the cells before it ran.
import CCmarkGFM
import Foundation

public struct InlineExpression: Sendable, Equatable {
    public static let marker = "{swift}"

    /// The Swift expression after the marker.
    public var expression: String
    /// Line and column of the expression in the Markdown file (1-based): compile errors point here.
    public var line: Int
    public var column: Int
    /// Position among the chapter's inline values (0-based), in reading order.
    public var index: Int
    /// The last cell before it in the file: it is evaluated after that cell (nil: before every cell).
    public var afterCell: Int?

    /// Every `{swift}` code span of a parsed document, in reading order (cmark's depth-first walk).
    static func find(in document: MarkdownDocument, lineOffset: Int, path: String, cells: [CodeBlock]) throws -> [InlineExpression] {
        var found: [InlineExpression] = []
        for node in document.inlineCodeNodes() {
            let literal = String(cString: cmark_node_get_literal(node))
            guard let expression = expression(in: literal) else { continue }
            let line = Int(cmark_node_get_start_line(node)) + lineOffset
            guard !expression.isEmpty else {
                throw ChapterError(path: path, line: line, reason: "inline value `\(marker)` needs an expression after it")
            }
            let after = cells.last { $0.fenceLine < line }?.cellNumber
            // cmark's column is the span's first character after its backtick; the expression follows the marker and its spaces.
            let column = Int(cmark_node_get_start_column(node)) + marker.count
                + literal.dropFirst(marker.count).prefix { $0 == " " }.count
            found.append(InlineExpression(expression: expression, line: line, column: column, index: found.count, afterCell: after))
        }
        return found
    }

    /// The expression of a code span that starts with the marker, or nil.
    static func expression(in literal: String) -> String? {
        guard literal.hasPrefix(marker) else { return nil }
        return literal.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
    }
}
