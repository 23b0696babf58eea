// How an inline value reads in prose: numbers as a Table column shows them by default, text as it is.
import Foundation

enum InlineText {
    static func of(_ value: Any) -> String {
        switch value {
        case let text as String: return text
        case let text as Substring: return String(text)
        case let number as Int: return String(number)
        case let number as Double: return String(format: Table.Column.defaultFormat, number)
        case let number as Float: return String(format: Table.Column.defaultFormat, Double(number))
        case let cell as Table.Value:
            switch cell {
            case .text(let text): return text
            case .number(let x): return String(format: Table.Column.defaultFormat, x)
            case .missing: return "–"
            }
        default: return String(describing: value)
        }
    }
}
