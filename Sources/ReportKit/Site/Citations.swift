// `[@roth2022; @li2024]` and `@roth2022` in a chapter's prose become linked citations of Chapters/references.bib,
// and the page gets a reference list of what it cites. Figure and table labels (@fig-, @tab-) are left
// to CrossReferences; `@` after a letter or digit (an e-mail address), code, links, scripts and styles are left alone,
// and so is what cells show (the prose is resolved before their outputs go in).
import Foundation
import Notebook

struct Citations {
    let bibliography: Bibliography

    static func isKeyCharacter(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "-" || c == ":" }

    /// The key at the start of `text` (after its "@"), without trailing "-" or ":".
    static func key(in text: Substring) -> String {
        var key = String(text.prefix(while: isKeyCharacter))
        while key.hasSuffix("-") || key.hasSuffix(":") { key.removeLast() }
        return key
    }

    /// "@a, p. 3 &amp; 4; @b": split at each ";" that an "@" follows (an entity's ";" is not one).
    static func items(_ text: Substring) -> [String] {
        var items: [String] = [], current = ""
        var i = text.startIndex
        while i < text.endIndex {
            if text[i] == ";", text[text.index(after: i)...].drop(while: { $0 == " " }).first == "@" {
                items.append(current.trimmingCharacters(in: .whitespaces)); current = ""
            } else {
                current.append(text[i])
            }
            i = text.index(after: i)
        }
        return items + [current.trimmingCharacters(in: .whitespaces)]
    }

    static func isCrossReference(_ key: String) -> Bool {
        CrossReferences.kinds.keys.contains { key.hasPrefix($0 + "-") }
    }

    /// The page with its citations linked; the keys it cites, in order of first citation, and those the bibliography lacks.
    func resolve(_ html: String) -> (html: String, cited: [String], unknown: [String]) {
        var out = "", cited: [String] = [], unknown: [String] = []
        var rest = Substring(html), inCode = 0
        func cite(_ key: String, parenthetical: Bool) -> String {
            guard let entry = bibliography.entries[key] else {
                if !unknown.contains(key) { unknown.append(key) }
                return "<span class=\"xref-missing\" title=\"not in Chapters/references.bib\">??@\(HTML.escape(key))</span>"
            }
            if !cited.contains(key) { cited.append(key) }
            return "<a class=\"cite\" href=\"#ref-\(HTML.escape(key))\">\(HTML.escape(entry.citation(parenthetical: parenthetical)))</a>"
        }
        while let at = rest.firstIndex(where: { $0 == "<" || $0 == "@" || $0 == "[" }) {
            out += rest[..<at]
            rest = rest[at...]
            if HTML.passTag(&rest, into: &out, codeDepth: &inCode) { continue }
            let before = out.last
            let free = inCode == 0 && !(before?.isLetter ?? false) && !(before?.isNumber ?? false)
            if rest.first == "[", free, rest.dropFirst().first == "@", let close = rest.firstIndex(of: "]"),
               !rest[..<close].contains("<") {
                // [@a; @b, p. 3]: every item a key, each with what follows it
                let items = Self.items(rest[rest.index(after: rest.startIndex)..<close])
                if items.allSatisfy({ $0.hasPrefix("@") && !Self.key(in: $0.dropFirst()).isEmpty && !Self.isCrossReference(Self.key(in: $0.dropFirst())) }) {
                    let parts = items.map { item -> String in
                        let key = Self.key(in: item.dropFirst())
                        return cite(key, parenthetical: true) + String(item.dropFirst(1 + key.count))   // already HTML
                    }
                    out += "(" + parts.joined(separator: "; ") + ")"
                    rest = rest[rest.index(after: close)...]
                    continue
                }
            }
            if rest.first == "@", free {
                let key = Self.key(in: rest.dropFirst())
                if !key.isEmpty, !Self.isCrossReference(key) {
                    out += cite(key, parenthetical: false)
                    rest = rest.dropFirst(1 + key.count)
                    continue
                }
            }
            out.append(rest.first!)
            rest = rest.dropFirst()
        }
        out += rest
        return (out, cited, unknown)
    }

    /// "Last, First and Other, Name and others" as "First Last, Name Other et al."
    static func names(_ field: String) -> String {
        var people = field.components(separatedBy: " and ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let more = people.last == "others"
        if more { people.removeLast() }
        let written = people.map { person -> String in
            guard let comma = person.firstIndex(of: ",") else { return person }
            return (person[person.index(after: comma)...].trimmingCharacters(in: .whitespaces) + " " + person[..<comma]).trimmingCharacters(in: .whitespaces)
        }
        if more { return written.joined(separator: ", ") + " et al." }
        return written.count <= 1 ? written.joined() : written.dropLast().joined(separator: ", ") + " and " + written.last!
    }

    /// An entry's parts as both editions print them: "People (year). Title. Venue, pages p–q. URL".
    struct Reference {
        var people: String, year: String, title: String, venue: String?, pages: String?, url: String?
        init(_ e: BibEntry) {
            people = Citations.names(e["author"] ?? e["editor"] ?? "")
            year = e["year"] ?? "n.d."
            title = e["title"] ?? e.key
            venue = e["booktitle"] ?? e["journal"] ?? e["publisher"] ?? e["howpublished"]
            pages = e["pages"].map { $0.replacingOccurrences(of: "--", with: "–") }
            url = e["url"]
        }
    }

    /// The page's reference list: each cited entry, in order of first citation.
    func referenceList(_ keys: [String]) -> String {
        guard !keys.isEmpty else { return "" }
        var out = "<section class=\"references\"><h2>References</h2>\n<ol>\n"
        for key in keys {
            guard let e = bibliography.entries[key] else { continue }
            let r = Reference(e)
            var text = "\(HTML.escape(r.people)) (\(HTML.escape(r.year))). \(HTML.escape(r.title))."
            if let venue = r.venue { text += " <em>\(HTML.escape(venue))</em>" }
            if let pages = r.pages { text += ", pages \(HTML.escape(pages))" }
            text += "."
            if let url = r.url { text += " <a href=\"\(HTML.escape(url))\">\(HTML.escape(url))</a>" }
            out += "<li id=\"ref-\(HTML.escape(key))\">\(text)</li>\n"
        }
        return out + "</ol></section>\n"
    }
}
