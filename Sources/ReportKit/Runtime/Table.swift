// A results table: typed columns with formats, optional bold best-per-row and a mean row.
import Foundation

public struct Table: Codable, Sendable, Equatable {
    public struct Column: Codable, Sendable, Equatable {
        public var title: String
        /// printf-style format for numbers, e.g. "%.1f".
        public var format: String
        /// Takes part in the mean row (and in "best per row" when `ranked`).
        public var numeric: Bool
        /// Competes for "best per row": measured columns do, published ones beside them do not.
        public var ranked: Bool

        /// Numbers without a format of their own (a column's default, an inline value's).
        public static let defaultFormat = "%.2f"

        public init(_ title: String, format: String = defaultFormat, numeric: Bool = true, ranked: Bool = true) {
            self.title = title; self.format = format; self.numeric = numeric; self.ranked = ranked && numeric
        }

        /// A column of published numbers: never bold, never a measured value's rival.
        public static func published(_ title: String, format: String = defaultFormat) -> Column { Column(title, format: format, ranked: false) }

        public static func text(_ title: String) -> Column { Column(title, numeric: false) }
    }

    public enum Value: Codable, Sendable, Equatable {
        case text(String)
        case number(Double)
        /// A measured number: shown like `number`, linked to the runs it came from.
        case measured(Measured)
        /// A measured mean with its 95% interval over draws: "97.3 (96.8–97.9)", ranked by the mean.
        case estimate(Measured, low: Double, high: Double)
        case missing

        var number: Double? {
            switch self {
            case .number(let x): return x
            case .measured(let m), .estimate(let m, _, _): return m.value
            default: return nil
            }
        }

        var runs: [String] {
            switch self {
            case .measured(let m), .estimate(let m, _, _): return m.runs
            default: return []
            }
        }
    }

    public var columns: [Column]
    public var rows: [[Value]]
    public var caption: String?
    /// Bold the largest numeric value of each row (ties all bold).
    public var boldBestPerRow: Bool
    /// Append a row with each numeric column's mean, labelled in the first column.
    public var meanRow: Bool

    public init(columns: [Column], rows: [[Value]], caption: String? = nil, boldBestPerRow: Bool = false, meanRow: Bool = false) {
        precondition(rows.allSatisfy { $0.count == columns.count }, "Table: every row needs \(columns.count) values")
        self.columns = columns; self.rows = rows; self.caption = caption
        self.boldBestPerRow = boldBestPerRow; self.meanRow = meanRow
    }

    /// Rows as displayed: formatted strings, the runs each came from, with the mean row appended when asked for
    /// (a mean of measured values is traced to all their runs).
    public func displayRows() -> [[(text: String, bold: Bool, runs: [String])]] {
        var all = rows
        if meanRow, !rows.isEmpty {
            var mean: [Value] = []
            for (c, column) in columns.enumerated() {
                if c == 0 && !column.numeric { mean.append(.text("mean")); continue }
                let numbers = rows.compactMap { $0[c].number }
                let runs = rows.flatMap { $0[c].runs }
                guard column.numeric, !numbers.isEmpty else { mean.append(.missing); continue }
                let value = numbers.reduce(0, +) / Double(numbers.count)
                mean.append(runs.isEmpty ? .number(value) : .measured(Measured(value: value, runs: runs, format: column.format)))
            }
            all.append(mean)
        }
        return all.map { row in
            let best = boldBestPerRow ? row.enumerated().compactMap { c, v -> Double? in columns[c].ranked ? v.number : nil }.max() : nil
            return row.enumerated().map { c, value in
                switch value {
                case .text(let s): return (s, false, [])
                case .missing: return ("–", false, [])
                case .number, .measured:
                    let x = value.number!
                    return (String(format: columns[c].format, x), best != nil && columns[c].ranked && x == best!, value.runs)
                case .estimate(let m, let low, let high):
                    let f = columns[c].format
                    return (String(format: f, m.value) + " (" + String(format: f, low) + "–" + String(format: f, high) + ")",
                            best != nil && columns[c].ranked && m.value == best!, m.runs)
                }
            }
        }
    }
}

extension Table {
    /// The table as CSV (RFC 4180): a header of the column titles, the rows as displayed (the mean row too),
    /// fields with a comma, a quote or a line break quoted.
    public func csv() -> String {
        func field(_ text: String) -> String {
            text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
        }
        let lines = [columns.map { field($0.title) }] + displayRows().map { $0.map { field($0.text) } }
        return lines.map { $0.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}
