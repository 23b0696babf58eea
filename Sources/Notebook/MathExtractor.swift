import Foundation

// Takes TeX math ($...$, $$...$$) out of Markdown before cmark-gfm sees it, so `_` and `*`
// inside formulas are not read as emphasis; the HTML gets it back in elements KaTeX renders.
public struct MathExtractor {
    public struct Formula: Equatable, Sendable {
        public var tex: String
        public var display: Bool
    }

    /// The Markdown with each formula replaced by a token of letters and digits.
    public private(set) var markdown: String = ""
    public private(set) var formulas: [Formula] = []

    public static func token(_ index: Int) -> String { "KATEXMATH\(index)X" }

    public init(_ source: String) {
        var out: [String] = []
        var fence: String?          // the opening fence of the code block we are in, if any
        var display: [String]?      // lines of a $$ block being collected
        for line in source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if let open = fence {
                out.append(line)
                if trimmed.hasPrefix(open) && trimmed.allSatisfy({ $0 == open.first }) { fence = nil }
                continue
            }
            if display != nil {
                if trimmed.hasSuffix("$$") {
                    display!.append(String(trimmed.dropLast(2)))
                    out.append(add(display!.joined(separator: "\n"), display: true))
                    display = nil
                } else {
                    display!.append(line)
                    out.append("")  // keep the line count, so later lines keep their numbers
                }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix { $0 == trimmed.first })
                out.append(line)
                continue
            }
            if trimmed.hasPrefix("$$") {
                let rest = trimmed.dropFirst(2)
                if rest.hasSuffix("$$") && rest.count >= 2 {
                    out.append(add(String(rest.dropLast(2)), display: true))
                } else {
                    display = [String(rest)]
                    out.append("")
                }
                continue
            }
            out.append(inline(line))
        }
        if let open = display { out.append("$$" + open.joined(separator: "\n")) }  // never closed: leave it as text
        markdown = out.joined(separator: "\n")
    }

    private mutating func add(_ tex: String, display: Bool) -> String {
        formulas.append(Formula(tex: tex.trimmingCharacters(in: .whitespacesAndNewlines), display: display))
        return MathExtractor.token(formulas.count - 1)
    }

    /// `$x$` as pandoc reads it: no space after the opening `$`, none before the closing one,
    /// no digit right after it (so "$5 and $10" stays text); `\$` and code spans are left alone.
    private mutating func inline(_ line: String) -> String {
        let chars = Array(line)
        var out = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count, chars[i + 1] == "$" {
                out += "\\$"; i += 2; continue
            }
            if c == "`" {
                var run = 0
                while i + run < chars.count, chars[i + run] == "`" { run += 1 }
                let ticks = String(repeating: "`", count: run)
                var j = i + run
                var closed: Int?
                while j < chars.count {
                    if chars[j] == "`" {
                        var r = 0
                        while j + r < chars.count, chars[j + r] == "`" { r += 1 }
                        if r == run { closed = j; break }
                        j += r
                    } else { j += 1 }
                }
                if let closed {
                    out += String(chars[i..<(closed + run)]); i = closed + run
                } else {
                    out += ticks; i += run
                }
                continue
            }
            if c == "$", i + 1 < chars.count, chars[i + 1] != "$", !chars[i + 1].isWhitespace {
                var j = i + 1
                var end: Int?
                while j < chars.count {
                    if chars[j] == "\\" { j += 2; continue }
                    if chars[j] == "$" {
                        let afterIsDigit = j + 1 < chars.count && chars[j + 1].isNumber
                        if !chars[j - 1].isWhitespace && !afterIsDigit { end = j }
                        break
                    }
                    j += 1
                }
                if let end {
                    out += add(String(chars[(i + 1)..<end]), display: false)
                    i = end + 1
                    continue
                }
            }
            out.append(c)
            i += 1
        }
        return out
    }

    /// Puts the formulas back into rendered HTML as elements for KaTeX (TeX escaped as text).
    public func restore(in html: String, escape: (String) -> String) -> String {
        var result = html
        for (index, formula) in formulas.enumerated().reversed() {
            let token = MathExtractor.token(index)
            let tex = escape(formula.tex)
            if formula.display {
                let block = "<div class=\"math display\">\(tex)</div>"
                result = result.replacingOccurrences(of: "<p>\(token)</p>", with: block)
                result = result.replacingOccurrences(of: token, with: block)
            } else {
                result = result.replacingOccurrences(of: token, with: "<span class=\"math inline\">\(tex)</span>")
            }
        }
        return result
    }

    /// Puts the formulas back into rendered LaTeX as math itself (the PDF typesets what KaTeX renders on the site).
    public func restoreLaTeX(in latex: String) -> String {
        var result = latex
        for (index, formula) in formulas.enumerated().reversed() {
            let math = formula.display ? "\\[\n\(formula.tex)\n\\]" : "\\(\(formula.tex)\\)"
            result = result.replacingOccurrences(of: MathExtractor.token(index), with: math)
        }
        return result
    }
}
