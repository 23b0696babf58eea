@testable import Notebook
import Testing

@Suite struct ChapterParserTests {
    static let source = """
    ---
    title: "Deviation loss"
    summary: Eq. 5-8 at work.
    ---

    Some text with a table:

    | method | pixel AUROC |
    |---|---:|
    | PromptAD | 95.9 |

    ```swift
    //| label: fig-auroc
    //| caption: "A caption: with a colon"
    let x = 1
    print(x)
    ```

    ```swift norun
    fatalError("shown, not run")
    ```

    ```bash
    swift run report build
    ```

    - a list with a nested fence:

      ```swift
      let nested = "not a cell: only top-level blocks run"
      ```

    ```swift
    //| error: true
    //| echo: false
    throw CancellationError()
    ```
    """

    @Test func frontMatterIsRead() throws {
        let chapter = try ChapterParser.parse(source: Self.source, name: "04-deviation", path: "Chapters/04-deviation.md")
        #expect(chapter.frontMatter == FrontMatter(title: "Deviation loss", summary: "Eq. 5-8 at work."))
        #expect(chapter.title == "Deviation loss")
        #expect(chapter.bodyLine == 5)
        #expect(chapter.identifier == "chapter_04_deviation")
    }

    @Test func cellsAreTopLevelSwiftBlocksWithTheirOptionsAndLines() throws {
        let chapter = try ChapterParser.parse(source: Self.source, name: "c", path: "c.md")
        #expect(chapter.codeBlocks.count == 4)
        let cells = chapter.cells
        #expect(cells.count == 2)
        #expect(cells[0].options.label == "fig-auroc")
        #expect(cells[0].options.caption == "A caption: with a colon")
        #expect(cells[0].code == "let x = 1\nprint(x)")
        // The fence is on line 12 of the file; two option lines; code starts on line 15.
        #expect(cells[0].fenceLine == 12)
        #expect(cells[0].codeLine == 15)
        #expect(cells[1].cellNumber == 2 && cells[1].options.error && cells[1].options.echo == .hide)
        #expect(chapter.codeBlocks[1].info == "swift norun" && !chapter.codeBlocks[1].isCell)
        #expect(chapter.codeBlocks[2].language == "bash")
    }

    @Test func gfmTablesRenderAsHTMLTablesAndCellsBecomePlaceholders() throws {
        let chapter = try ChapterParser.parse(source: Self.source, name: "c", path: "c.md")
        let html = MarkdownDocument(chapter.body).html(replacingCodeBlocks: Set(chapter.cells.map(\.blockIndex)))
        #expect(html.contains("<table>"))
        #expect(html.contains("<th>method</th>"))
        #expect(html.contains("<td align=\"right\">95.9</td>"))
        #expect(html.contains(MarkdownDocument.placeholder(0)))
        #expect(html.contains(MarkdownDocument.placeholder(3)))
        #expect(html.contains("fatalError(&quot;shown, not run&quot;)"), "norun blocks are shown as code")
        #expect(!html.contains("let x = 1"), "cells are replaced, not shown twice")
    }

    @Test func badFrontMatterAndOptionsAreErrorsWithLines() {
        #expect(throws: ChapterError(path: "x.md", line: 1, reason: "front matter opened with '---' is never closed")) {
            try ChapterParser.parse(source: "---\ntitle: a\n", name: "x", path: "x.md")
        }
        #expect(throws: ChapterError.self) {
            try ChapterParser.parse(source: "---\ntitel: a\n---\n", name: "x", path: "x.md")
        }
        #expect(throws: ChapterError(path: "x.md", line: 2, reason: "cell option must read '//| key: value'")) {
            try ChapterParser.parse(source: "```swift\n//| echo false\n```\n", name: "x", path: "x.md")
        }
        #expect(throws: ChapterError(path: "x.md", line: 2, reason: "echo must be fold, show or false, not 'hidden'")) {
            try ChapterParser.parse(source: "```swift\n//| echo: hidden\n```\n", name: "x", path: "x.md")
        }
        #expect(throws: ChapterError(path: "x.md", line: 2, reason: "echo must be fold, show or false, not 'open'")) {
            try ChapterParser.parse(source: "---\necho: open\n---\n", name: "x", path: "x.md")
        }
        #expect(throws: ChapterError(path: "x.md", line: 1, reason: "inline value `{swift}` needs an expression after it")) {
            try ChapterParser.parse(source: "A value: `{swift}`.\n", name: "x", path: "x.md")
        }
    }

    @Test func echoIsTheCellsOrTheChaptersOrFolded() throws {
        let chapter = try ChapterParser.parse(source: "---\necho: false\n---\n```swift\nlet a = 1\n```\n\n```swift\n//| echo: show\nlet b = 2\n```\n",
                                              name: "x", path: "x.md")
        #expect(chapter.echo(of: chapter.cells[0]) == .hide && chapter.echo(of: chapter.cells[1]) == .show)
        let plain = try ChapterParser.parse(source: "```swift\nlet a = 1\n```\n", name: "x", path: "x.md")
        #expect(plain.echo(of: plain.cells[0]) == .fold)
    }

    @Test func inlineValuesAreFoundInReadingOrderWithTheCellBeforeThem() throws {
        let source = "Before: `{swift} 1`.\n\n```swift\nlet a = 2\n```\n\n- in a list `{swift} a * 2`\n- plain `code` and `{swift}a`\n"
        let chapter = try ChapterParser.parse(source: source, name: "x", path: "x.md")
        #expect(chapter.inlineExpressions.map(\.expression) == ["1", "a * 2", "a"])
        #expect(chapter.inlineExpressions.map(\.afterCell) == [nil, 1, 1])
        #expect(chapter.inlineExpressions.map(\.line) == [1, 7, 8])
        #expect(chapter.inlineExpressions.map(\.index) == [0, 1, 2])
    }

    @Test func generatedSourcePointsCompileErrorsAtTheChapterLines() throws {
        let chapter = try ChapterParser.parse(source: Self.source, name: "04-deviation", path: "Chapters/04-deviation.md")
        let swift = CellCodeGenerator.swiftSource(for: chapter, displayPath: "Chapters/04-deviation.md")
        // Each statement's line is noted before it runs (a thrown error names it), and mapped back to the chapter.
        #expect(swift.contains("__cells.line = 15\n#sourceLocation(file: \"Chapters/04-deviation.md\", line: 15)\nlet x = 1\n"
                               + "__cells.line = 16\n#sourceLocation(file: \"Chapters/04-deviation.md\", line: 16)\nprint(x)\n#sourceLocation()"))
        #expect(swift.contains("try __cells.begin(2)\n        do {\n"))
        #expect(swift.contains("} catch { __cells.record(error) }"))
        #expect(swift.contains("cellCount: 2"))
        #expect(!swift.contains("not a cell"))
    }

    @Test func fingerprintChangesWithCodeAndOptionsOnly() throws {
        let a = try ChapterParser.parse(source: Self.source, name: "c", path: "c.md")
        let prose = try ChapterParser.parse(source: Self.source.replacingOccurrences(of: "Some text", with: "Other text"), name: "c", path: "c.md")
        let code = try ChapterParser.parse(source: Self.source.replacingOccurrences(of: "let x = 1", with: "let x = 2"), name: "c", path: "c.md")
        #expect(Fingerprint.cells(of: a) == Fingerprint.cells(of: prose))
        #expect(Fingerprint.cells(of: a) != Fingerprint.cells(of: code))
        // Options that change how the page shows a cell, not what it computes, leave it alone; `error` does not.
        let shown = try ChapterParser.parse(source: Self.source.replacingOccurrences(of: "//| echo: false", with: "//| echo: show"), name: "c", path: "c.md")
        let caption = try ChapterParser.parse(source: Self.source.replacingOccurrences(of: "with a colon", with: "with two colons"), name: "c", path: "c.md")
        let error = try ChapterParser.parse(source: Self.source.replacingOccurrences(of: "//| error: true", with: "//| error: false"), name: "c", path: "c.md")
        #expect(Fingerprint.cells(of: a) == Fingerprint.cells(of: shown) && Fingerprint.cells(of: a) == Fingerprint.cells(of: caption))
        #expect(Fingerprint.cells(of: a) != Fingerprint.cells(of: error))
        #expect(Fingerprint.fnv1a("") == "cbf29ce484222325")
    }

    @Test func bibliographyEntriesAndTheirErrors() throws {
        let bib = try Bibliography.parse("% a comment naming @misc{x} is skipped\n@misc{k1,\n author = {van den Hengel, Anton and Pang, Guansong and Shen, C.},\n title = \"A {B} c\", year = 2021}\n", path: "r.bib")
        #expect(bib.entries.count == 1)
        #expect(try Bibliography.parse("@misc{s, author = {Sch{\\\"o}lkopf, B. and Garc{\\'\\i}a}}", path: "r.bib").entries["s"]?.surnames.first == "Schölkopf")
        #expect(bib.entries["k1"]?.surnames == ["van den Hengel", "Pang", "Shen"])
        #expect(bib.entries["k1"]?["title"] == "A B c" && bib.entries["k1"]?.citation(parenthetical: true) == "van den Hengel et al., 2021")
        #expect(throws: ChapterError(path: "r.bib", line: 2, reason: "key k1 appears twice")) {
            try Bibliography.parse("@misc{k1, year = 1}\n@misc{k1, year = 2}\n", path: "r.bib")
        }
        #expect(throws: ChapterError.self) { try Bibliography.parse("@misc{k2, title = {never closed}\n", path: "r.bib") }
        let mixed = try Bibliography.parse("@comment(skip {this} (too))\n@comment a line\n@misc{k3,\n % a note\n title = {T}, % after\n year = 1}\n", path: "r.bib")
        #expect(mixed.entries.keys.sorted() == ["k3"] && mixed.entries["k3"]?["title"] == "T")
    }
}
