// How an inline value reads in prose: numbers as a Table column shows them by default, text as it is.
import Foundation

enum InlineText {
    static func of(_ value: Any) -> String {
        // An optional reads as its value, or "–" when it has none.
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first.map { of($0.value) } ?? "–" }
        switch value {
        case let text as String: return text
        case let text as Substring: return String(text)
        case let number as Int: return String(number)
        case let number as Double: return String(format: Table.Column.defaultFormat, number)
        case let number as Float: return String(format: Table.Column.defaultFormat, Double(number))
        case let measured as Measured: return String(format: measured.format, measured.value)
        case let cell as Table.Value:
            switch cell {
            case .text(let text): return text
            case .number(let x): return String(format: Table.Column.defaultFormat, x)
            case .measured(let m): return String(format: m.format, m.value)
            case .estimate(let m, let low, let high):
                return String(format: m.format, m.value) + " (" + String(format: m.format, low) + "–" + String(format: m.format, high) + ")"
            case .missing: return "–"
            }
        default: return String(describing: value)
        }
    }
}

extension InlineText {
    /// The runs an inline value came from, when it is a measured one.
    static func runs(of value: Any) -> [String] {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional { return mirror.children.first.map { runs(of: $0.value) } ?? [] }
        switch value {
        case let measured as Measured: return measured.runs
        case let cell as Table.Value: return cell.runs
        default: return []
        }
    }
}
