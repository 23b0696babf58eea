// The document model of one chapter: front matter, and the code blocks that are cells.
import Foundation

/// One `Chapters/*.md` file, parsed.
public struct Chapter: Sendable {
    /// File name without extension, e.g. "00-about"; chapters are ordered by it.
    public var name: String
    /// Path of the Markdown file as given to the parser.
    public var path: String
    public var frontMatter: FrontMatter
    /// The Markdown text after the front matter.
    public var body: String
    /// Line in the file where `body` starts (1-based).
    public var bodyLine: Int
    /// Every top-level fenced code block, in order; those with `isCell` run.
    public var codeBlocks: [CodeBlock]
    /// The prose's `{swift} expression` code spans, in reading order.
    public var inlineExpressions: [InlineExpression] = []

    public var cells: [CodeBlock] { codeBlocks.filter(\.isCell) }
    public var title: String { frontMatter.title ?? name }

    /// How `cell` shows its code: its own option, the chapter's, or folded.
    public func echo(of cell: CodeBlock) -> Echo { cell.options.echo ?? frontMatter.echo ?? .fold }

    /// The chapter's name as a Swift identifier, for the generated code.
    public var identifier: String {
        let mapped = name.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        return "chapter_" + mapped
    }
}

public struct FrontMatter: Sendable, Equatable {
    public var title: String?
    public var summary: String?
    /// Seconds the chapter may run before the build stops it (`report build --timeout` when absent).
    public var timeout: Double?
    /// How the chapter's cells show their code unless a cell says otherwise (folded when absent).
    public var echo: Echo?
    /// `build-record: true`: the chapter's cells see how the chapters before it ran (`BuildRecord`), and it reruns when that changes.
    public var buildRecord: Bool
    public init(title: String? = nil, summary: String? = nil, timeout: Double? = nil, echo: Echo? = nil, buildRecord: Bool = false) {
        self.title = title; self.summary = summary; self.timeout = timeout; self.echo = echo; self.buildRecord = buildRecord
    }
}

/// A cell's code in the page: folded under its summary line (the default, so code does not drown the
/// prose), shown open, or left out (`false`).
public enum Echo: String, Sendable, Equatable, CaseIterable {
    case fold, show
    case hide = "false"
}

/// A fenced code block. A `swift` block without `norun` is a cell: it is compiled and run.
public struct CodeBlock: Sendable, Equatable {
    /// The fence's info string, e.g. "swift", "swift norun", "bash".
    public var info: String
    /// The code without the `//|` option lines.
    public var code: String
    public var options: CellOptions
    /// Line in the Markdown file of the first line of `code` (1-based): compile errors point here.
    public var codeLine: Int
    /// Line of the opening fence.
    public var fenceLine: Int
    /// Position among all code blocks of the chapter (0-based).
    public var blockIndex: Int
    /// Position among the chapter's cells (1-based), nil if the block does not run.
    public var cellNumber: Int?

    public var language: String { info.split(separator: " ").first.map(String.init) ?? "" }
    public var isCell: Bool { cellNumber != nil }
}

/// Quarto-style options written as `//| key: value` lines at the top of a cell.
public struct CellOptions: Sendable, Equatable {
    public var values: [String: String] = [:]
    public init(values: [String: String] = [:]) { self.values = values }

    public var label: String? { values["label"] }
    /// The label of the cell's `n`-th figure (or table): the cell's own for the first, then "-2", "-3"...
    public func label(ofOutput n: Int) -> String? { label.map { n > 1 ? "\($0)-\(n)" : $0 } }
    public var caption: String? { values["caption"] }
    /// How the page shows the cell's code, when the cell says (else the chapter's front matter, else folded).
    public var echo: Echo? { values["echo"].flatMap(Echo.init(rawValue:)) }
    /// The cell may throw: its error is shown and the build still succeeds (default false).
    public var error: Bool { values["error"] == "true" }

    /// Options that cannot change a cell's results, so they stay out of its cache key.
    public static let presentationOnly: Set<String> = ["echo", "caption", "fig-alt"]
}
