// A results table in the PDF: a booktabs longtable, its caption numbered, its header repeated on every page it spans,
// the best measured value of a row bold, measured numbers linked to their runs; too wide for the page, its columns wrap (LaTeXColumns).
import Foundation
import Notebook

struct LaTeXTable {
    var table: Table
    var caption: String
    var label: String?
    var traced: (String, [String]) -> String

    func latex() -> String {
        let rows = table.displayRows()
        let columns = table.columns.count
        let header = table.columns.map { "\\textbf{\(LaTeXText.escape($0.title))}" }.joined(separator: " & ") + " \\\\\n"
        let entries = table.columns.indices.map { c in [table.columns[c].title] + rows.map { $0[c].text } }
        let (spec, size) = LaTeXColumns.layout(entries, alignments: table.columns.map { $0.numeric ? "r" : "l" })
        var out = "{\(size)\\setlength{\\tabcolsep}{4pt}\n\\begin{longtable}{@{}\(spec)@{}}\n"
        out += "\\caption{\(LaTeXText.escape(caption))}" + (label.map { "\\label{\($0)}" } ?? "") + "\\\\\n"
        out += "\\toprule\n" + header + "\\midrule\n\\endfirsthead\n"
        out += "\\multicolumn{\(columns)}{@{}l}{\\emph{Table \\thetable, continued}}\\\\\n\\toprule\n" + header + "\\midrule\n\\endhead\n"
        out += "\\bottomrule\n\\endlastfoot\n"
        for (r, row) in rows.enumerated() {
            if table.meanRow && r == table.rows.count { out += "\\midrule\n" }
            // \relax: a row opening with "[" must not read as the previous row end's optional argument.
            out += "\\relax " + row.map { cell in
                let text = traced(LaTeXColumns.breakable(cell.text), cell.runs)
                return cell.bold ? "\\textbf{\(text)}" : text
            }.joined(separator: " & ") + " \\\\\n"
        }
        return out + "\\end{longtable}}\n"
    }
}
