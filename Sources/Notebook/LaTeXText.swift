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
            case "\n", "\r": out += " "
            // "--" and "``" would be ligatures (a dash, a quote): keep what was written.
            case "-" where previous == "-", "`" where previous == "`", "'" where previous == "'": out += "{}" + String(c)
            default: out.append(c)
            }
            previous = c
        }
        return out
    }

    /// Code for a Verbatim environment: as written, tabs as four spaces, and never the environment's own end.
    public static func verbatim(_ code: String) -> String {
        code.replacingOccurrences(of: "\t", with: "    ")
            .replacingOccurrences(of: "\\end{", with: "\\end {")
    }
}
