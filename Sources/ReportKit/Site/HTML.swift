/// Escaping for text placed in HTML: everything a cell prints goes through here.
public enum HTML {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }
}

extension HTML {
    /// Elements whose text the prose rewriters leave as it is: code, links (no link inside a link), scripts and styles.
    static let untouched: Set<String> = ["pre", "code", "a", "script", "style"]

    /// When `rest` starts with a tag, moves it to `out` and counts how deep in an `untouched` element the text after
    /// it is; returns whether it did. The prose rewriters (cross-references, citations) leave such text alone with it.
    static func passTag(_ rest: inout Substring, into out: inout String, codeDepth: inout Int) -> Bool {
        guard rest.first == "<" else { return false }
        let end = rest.firstIndex(of: ">").map { rest.index(after: $0) } ?? rest.endIndex
        let tag = rest[..<end].lowercased()
        let closing = tag.hasPrefix("</")
        let name = String(tag.dropFirst(closing ? 2 : 1).prefix { $0.isLetter })
        if untouched.contains(name), !tag.hasSuffix("/>") { codeDepth = closing ? max(0, codeDepth - 1) : codeDepth + 1 }
        out += rest[..<end]
        rest = rest[end...]
        return true
    }
}
