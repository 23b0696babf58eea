// The column specification of a table in the PDF: as wide as its entries when they fit the line, else every column
// wraps, none narrower than its longest word, the rest of the line shared by what each column would take more.

public enum LaTeXColumns {
    /// Characters a line of \small text holds on the page (A4, 25 mm margins), and of \footnotesize.
    static let smallLine = 88.0, footnoteLine = 100.0
    /// A word longer than this (a SHA-256, a path) may break anywhere (`breakable`), so it does not set a column's width.
    public static let longWord = 24

    /// `text` escaped, its long words given break points every 12 characters.
    public static func breakable(_ text: String) -> String {
        text.split(separator: " ", omittingEmptySubsequences: false).map { word -> String in
            guard word.count > longWord else { return LaTeXText.escape(String(word)) }
            var pieces: [String] = [], rest = Substring(word)
            while !rest.isEmpty { pieces.append(LaTeXText.escape(String(rest.prefix(12)))); rest = rest.dropFirst(12) }
            return pieces.joined(separator: "\\allowbreak{}")
        }.joined(separator: " ")
    }

    /// `columns`: each column's entries as plain text (its header first); `alignments`: "l", "r" or "c" each.
    /// Returns the longtable column specification and the font size that fits.
    public static func layout(_ columns: [[String]], alignments: [String]) -> (spec: String, size: String) {
        let natural = columns.map { Double($0.map(\.count).max() ?? 0) + 2 }
        let least = columns.map { column in Double(min(longWord, column.flatMap { $0.split(separator: " ").map(\.count) }.max() ?? 0)) + 2 }
        let total = natural.reduce(0, +)
        let size = total <= smallLine ? "\\small" : "\\footnotesize"
        guard total > footnoteLine else { return (alignments.joined(), size) }
        let spare = max(0, footnoteLine - least.reduce(0, +))
        let wish = zip(natural, least).map { $0 - $1 }, wishes = max(1, wish.reduce(0, +))
        let chars = zip(least, wish).map { $0 + spare * $1 / wishes }
        // The line less the gaps between columns (4 pt each side, in a 453 pt line).
        let usable = 1.0 - 0.018 * Double(columns.count - 1), sum = chars.reduce(0, +)
        let spec = zip(chars, alignments).map { chars, alignment in
            let ragged = alignment == "r" ? "\\raggedleft" : alignment == "c" ? "\\centering" : "\\raggedright"
            return ">{\(ragged)\\arraybackslash}p{\(String(format: "%.3f", usable * chars / sum))\\linewidth}"
        }.joined()
        return (spec, size)
    }
}
