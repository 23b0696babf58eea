// Text as LaTeX reads it: the characters TeX gives a meaning escaped, for captions, table cells and titles.

public enum LaTeXText {
    /// `text` as prose in LaTeX (LuaLaTeX with fontspec: any Unicode character stands for itself).
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previous: Character?
        for c in text {
            switch c {
            case "\\": out += "\\textbackslash{}"
            case "{", "}", "$", "&", "#", "%", "_": out += "\\" + String(c)
            case "^": out += "\\textasciicircum{}"
            case "~": out += "\\textasciitilde{}"
            case "\n", "\r", "\r\n", "\t": out += " "
            case _ where c.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .control }): out += "\u{FFFD}"
            // "--" and "``" would be ligatures (a dash, a quote): keep what was written.
            case "-" where previous == "-", "`" where previous == "`", "'" where previous == "'": out += "{}" + String(c)
            default: out.append(c)
            }
            previous = c
        }
        return out
    }

    /// Code for a Verbatim environment: as written, tabs as four spaces, and never the environment's own end;
    /// any other control character (a terminal's escape, a NUL), which TeX refuses as invalid, shows as U+FFFD.
    public static func verbatim(_ code: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in code.replacingOccurrences(of: "\r\n", with: "\n").unicodeScalars {
            switch scalar {
            case "\n", "\r": out.append("\n")   // a carriage return (a progress line's) starts a line
            case "\t": out.append(contentsOf: "    ".unicodeScalars)
            case _ where scalar.properties.generalCategory == .control: out.append("\u{FFFD}")
            default: out.append(scalar)
            }
        }
        return String(out).replacingOccurrences(of: "\\end{", with: "\\end {")
    }
}
