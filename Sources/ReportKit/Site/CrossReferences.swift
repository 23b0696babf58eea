// `@fig-auroc` in a chapter's text becomes "Figure 3", linked to the figure, on any page.
import Foundation

struct CrossReferences {
    struct Target {
        var text: String     // "Figure 3"
        var href: String     // "04-deviation.html#fig-auroc"
    }

    var targets: [String: Target] = [:]

    /// Label prefixes that can be referenced, as Quarto names them.
    static let kinds = ["fig": "Figure", "tab": "Table"]

    /// Replaces `@fig-x` / `@tab-x` outside <pre> and <code>; returns the labels that match nothing.
    func resolve(_ html: String) -> (html: String, missing: [String]) {
        var out = ""
        var missing: [String] = []
        var rest = Substring(html)
        var inCode = 0
        while let at = rest.firstIndex(where: { $0 == "<" || $0 == "@" }) {
            out += rest[..<at]
            rest = rest[at...]
            if HTML.passTag(&rest, into: &out, codeDepth: &inCode) { continue }
            // "@" followed by kind-label
            let body = rest.dropFirst()
            let label = String(body.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            let trimmed = label.hasSuffix("-") ? String(label.dropLast()) : label
            let kind = trimmed.split(separator: "-", maxSplits: 1).first.map(String.init) ?? ""
            let before = out.last
            let isReference = inCode == 0 && CrossReferences.kinds[kind] != nil && trimmed.contains("-")
                && !(before?.isLetter ?? false) && !(before?.isNumber ?? false)
            guard isReference else {
                out += "@"
                rest = rest.dropFirst()
                continue
            }
            if let target = targets[trimmed] {
                out += "<a class=\"xref\" href=\"\(target.href)\">\(target.text)</a>"
            } else {
                missing.append(trimmed)
                out += "<span class=\"xref-missing\" title=\"no figure or table has this label\">??@\(trimmed)</span>"
            }
            rest = rest.dropFirst(1 + trimmed.count)
        }
        out += rest
        return (out, missing)
    }
}
