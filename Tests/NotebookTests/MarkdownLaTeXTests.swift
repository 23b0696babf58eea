import Notebook
import Testing

/// The PDF's prose: cmark-gfm's LaTeX renderer with the nodes it skips or gets wrong rewritten.
struct MarkdownLaTeXTests {
    func latex(_ markdown: String, _ configure: (inout LaTeXRendering) -> Void = { _ in }) -> String {
        var rendering = LaTeXRendering()
        configure(&rendering)
        return MarkdownDocument(markdown).latex(rendering)
    }

    @Test func tablesAreBooktabsLongtablesWithTheirAlignmentAndRepeatedHeader() {
        let out = latex("| class | AUROC |\n|:--|--:|\n| bottle_1 | **97.3** |\n| wood | 80 |\n")
        #expect(out.contains("{\\small\n\\begin{longtable}{@{}lr@{}}"))
        #expect(out.contains("\\toprule\n\\relax class & AUROC \\\\\n\\midrule\n\\endhead\n\\bottomrule\n\\endlastfoot\n"))
        #expect(out.contains("\\relax bottle\\_1 & \\textbf{97.3} \\\\"), "cells keep their inline markup, escaped")
        #expect(!out.contains("\\begin{table}") && !out.contains("tabular"), "not cmark's own float")
    }

    @Test func footnotesBecomeFootnotesWhereTheyAreReferenced() {
        let out = latex("One[^a] and two[^b].\n\n[^b]: Second *note*.\n[^a]: First note.\n")
        #expect(out.contains("One\\footnote{First note.} and two\\footnote{Second \\emph{note}.}."))
        #expect(!out.contains("[^"), "no footnote syntax left")
    }

    @Test func taskListItemsShowTheirBoxes() {
        let out = latex("- [ ] open\n- [x] done\n")
        #expect(out.contains("\\item {\\sffamily ☐}\\ open"))
        #expect(out.contains("\\item {\\sffamily ☒}\\ done"))
    }

    @Test func linksAreLinksAndChapterPagesAreTargetsInTheDocument() {
        let out = latex("[OpenCLIP](https://github.com/mlfoundations/open_clip), [the next chapter](10-devprompt.html#grid) and [a file](notes.txt).") {
            $0.internalLink = { $0.hasPrefix("10-devprompt.html") ? "chapter-10-devprompt" : nil }
        }
        #expect(out.contains("\\href{https://github.com/mlfoundations/open_clip}{OpenCLIP}"))
        #expect(out.contains("\\protect\\hyperlink{chapter-10-devprompt}{the next chapter}"))
        #expect(out.contains("{a file}") && !out.contains("notes.txt"), "a link to nothing in the document is its text")
    }

    @Test func sectionsAreOneLevelBelowTheChapter() {
        let out = latex("## Method\n\n### Loss\n")
        #expect(out.contains("\\section{Method}"))
        #expect(out.contains("\\subsection{Loss}"))
    }

    @Test func codeBlocksAreWrappingListingsAndCellsAndInlineValuesArePlaceholders() {
        let out = latex("Text `{swift} 2 + 2` and `x_1`.\n\n```swift\nlet a = 1\n```\n\n```text\nwide_line\\end{x}\n```\n") {
            $0.cells = [0]; $0.inlineValues = true
        }
        #expect(out.contains("Text \(MarkdownDocument.latexInlinePlaceholder(0)) and \\texttt{x\\_1}."))
        #expect(out.contains(MarkdownDocument.latexPlaceholder(0)))
        #expect(out.contains("\\begin{ReportCode}\nwide_line\\end {x}\n\\end{ReportCode}"), "verbatim, and it cannot end its environment")
        #expect(!out.contains("let a = 1"), "the cell is the caller's to render")
    }

    @Test func textSpansBecomeRawLaTeXOutsideCode() {
        let out = latex("See @fig-x, and `@fig-x` in code.") { rendering in
            rendering.text = { text in
                guard let at = text.range(of: "@fig-x") else { return nil }
                return [.text(String(text[..<at.lowerBound])), .raw("\\ref{fig-x}"), .text(String(text[at.upperBound...]))]
            }
        }
        #expect(out.contains("See \\ref{fig-x}, and \\texttt{@fig-x} in code."))
    }

    @Test func mathComesBackAsLaTeXMath() {
        let math = MathExtractor("Inline $d(p) = |s_a|$ and\n\n$$\nL = \\lambda\n$$\n")
        let out = math.restoreLaTeX(in: MarkdownDocument(math.markdown).latex())
        #expect(out.contains("Inline \\(d(p) = |s_a|\\) and"))
        #expect(out.contains("\\[\nL = \\lambda\n\\]"))
    }

    @Test func controlCharactersNeverReachTeX() {
        #expect(LaTeXText.verbatim("a\u{1B}[K\tb\r\nc\u{0}\rd") == "a\u{FFFD}[K    b\nc\u{FFFD}\nd")
        #expect(LaTeXText.escape("bell\u{7}\r\nx") == "bell\u{FFFD} x")
    }

    @Test func ownTextIsEscaped() {
        #expect(LaTeXText.escape(##"50% of $5 & #1 a_b {x} \ ^ ~ -- ``"##)
                == ##"50\% of \$5 \& \#1 a\_b \{x\} \textbackslash{} \textasciicircum{} \textasciitilde{} -{}- `{}`"##)
    }
}
