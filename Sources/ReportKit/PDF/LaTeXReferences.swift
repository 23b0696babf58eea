// The PDF's `@fig-x` ("Figure 3 on page 12", linked) and `[@key]` citations (linked to the References chapter), found in
// the prose's text nodes with the site's own grammar (Citations, CrossReferences); the keys cited are kept for the list.
import Foundation
import Notebook

final class LaTeXReferences {
    let bibliography: Bibliography
    /// Keys in order of first citation across the whole document.
    private(set) var cited: [String] = []

    init(bibliography: Bibliography) { self.bibliography = bibliography }

    /// `text` split into plain text and LaTeX for its references; nil when it has none.
    func spans(in text: String) -> [LaTeXSpan]? {
        guard text.contains("@") else { return nil }
        var spans: [LaTeXSpan] = [], plain = ""
        var rest = Substring(text)
        func flush() { if !plain.isEmpty { spans.append(.text(plain)); plain = "" } }
        while let c = rest.first {
            let before = plain.last
            let free = !(before?.isLetter ?? false) && !(before?.isNumber ?? false)
            if c == "[", free, rest.dropFirst().first == "@", let close = rest.firstIndex(of: "]") {
                let items = Citations.items(rest[rest.index(after: rest.startIndex)..<close])
                let keys = items.map { Citations.key(in: $0.dropFirst()) }
                if zip(items, keys).allSatisfy({ $0.hasPrefix("@") && !$1.isEmpty && !Citations.isCrossReference($1) }) {
                    flush()
                    let parts = zip(items, keys).map { item, key in cite(key, parenthetical: true) + LaTeXText.escape(String(item.dropFirst(1 + key.count))) }
                    spans.append(.raw("(" + parts.joined(separator: "; ") + ")"))
                    rest = rest[rest.index(after: close)...]
                    continue
                }
            }
            if c == "@", free {
                let key = Citations.key(in: rest.dropFirst())
                if let reference = crossReference(key) {
                    flush(); spans.append(.raw(reference))
                    rest = rest.dropFirst(1 + key.count)
                    continue
                }
                if !key.isEmpty, !Citations.isCrossReference(key) {
                    flush(); spans.append(.raw(cite(key, parenthetical: false)))
                    rest = rest.dropFirst(1 + key.count)
                    continue
                }
            }
            plain.append(c)
            rest = rest.dropFirst()
        }
        flush()
        return spans
    }

    /// "Figure 3 on page 12" for a `fig-`/`tab-` label; the site reports labels that match nothing.
    func crossReference(_ label: String) -> String? {
        guard let kind = label.split(separator: "-", maxSplits: 1).first.flatMap({ CrossReferences.kinds[String($0)] }),
              label.contains("-") else { return nil }
        return "\\hyperref[\(label)]{\(kind)~\\ref*{\(label)} on page~\\pageref*{\(label)}}"
    }

    func cite(_ key: String, parenthetical: Bool) -> String {
        guard let entry = bibliography.entries[key] else { return "\\textbf{??@\(LaTeXText.escape(key))}" }
        if !cited.contains(key) { cited.append(key) }
        return "\\hyperlink{ref-\(key)}{\(LaTeXText.escape(entry.citation(parenthetical: parenthetical)))}"
    }

    /// The References chapter: every cited entry, in order of first citation.
    func referenceChapter() -> String {
        guard !cited.isEmpty else { return "" }
        var out = "\\chapter*{References}\\addcontentsline{toc}{chapter}{References}\\markboth{References}{References}\n\\begin{enumerate}[label={[\\arabic*]}]\n"
        for key in cited {
            guard let e = bibliography.entries[key] else { continue }
            let r = Citations.Reference(e)
            var text = "\(LaTeXText.escape(r.people)) (\(LaTeXText.escape(r.year))). \(LaTeXText.escape(r.title))."
            if let venue = r.venue { text += " \\emph{\(LaTeXText.escape(venue))}" }
            if let pages = r.pages { text += ", pages \(LaTeXText.escape(pages))" }
            text += "."
            if let url = r.url { text += " \\url{\(url.replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "#", with: "\\#"))}" }
            out += "\\item\\hypertarget{ref-\(key)}{}\(text)\n"
        }
        return out + "\\end{enumerate}\n"
    }
}
