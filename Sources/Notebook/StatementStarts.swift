// Which lines of a cell begin a statement, so the generated code can note the line before running it
// and a thrown error can name the line that threw. A light scan (brackets, strings, comments), not a
// parser: a line is chosen only when a statement surely starts there, in the cell's own scope or in
// the body of an if/for/while/do/guard/switch/catch/else; never inside a closure or an expression.
public enum StatementStarts {
    /// Zero-based indices of the lines of `code` that start a statement.
    public static func lines(in code: String) -> [Int] {
        var scanner = Scanner()
        var starts: [Int] = []
        for (index, line) in code.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if scanner.inStatementContext, !scanner.continues, startsStatement(line) { starts.append(index) }
            scanner.scan(Array(line.unicodeScalars))
        }
        return starts
    }

    /// First words that continue what the line before began: `} else`, a signature's `throws`, a pattern's `where`...
    static let notStatements: Set<String> = ["else", "catch", "where", "case", "default", "in", "as", "is",
                                             "get", "set", "willSet", "didSet", "return", "throws", "rethrows"]
    static let controlKeywords: Set<String> = ["if", "else", "for", "while", "repeat", "do", "guard", "switch", "catch", "defer"]

    static func firstWord(_ text: Substring) -> String {
        String(text.drop { $0 == " " || $0 == "\t" }.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
    }

    static func startsStatement(_ line: Substring) -> Bool {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        guard let first = trimmed.first, first.isLetter || first == "_" else { return false }
        let word = firstWord(trimmed)
        // `async let` starts a statement; a signature's `async` on its own line continues it.
        if word == "async" { return trimmed.dropFirst(5).drop { $0 == " " }.hasPrefix("let ") }
        return !notStatements.contains(word)
    }

    enum Frame { case paren, bracket, body, brace, string(multiline: Bool, hashes: Int), interpolation }

    struct Scanner {
        var stack: [Frame] = []
        var blockComment = 0
        /// The last significant character of the code so far asks for more (an operator, a comma, `return`...).
        var continues = false

        var inStatementContext: Bool {
            blockComment == 0 && stack.allSatisfy { if case .body = $0 { return true } else { return false } }
        }

        mutating func scan(_ s: [Unicode.Scalar]) {
            let text = String(String.UnicodeScalarView(s))
            let first = StatementStarts.firstWord(Substring(text.drop { $0 == "}" || $0 == " " || $0 == "\t" }))
            let controlLine = StatementStarts.controlKeywords.contains(first)
            var lineDepth = stack.count
            var last: Unicode.Scalar?
            var lastWord = ""
            var i = 0
            func at(_ j: Int) -> Unicode.Scalar? { j < s.count ? s[j] : nil }
            while i < s.count {
                let c = s[i]
                if blockComment > 0 {
                    if c == "*", at(i + 1) == "/" { blockComment -= 1; i += 2; continue }
                    if c == "/", at(i + 1) == "*" { blockComment += 1; i += 2; continue }
                    i += 1; continue
                }
                if case .string(let multiline, let hashes)? = stack.last {
                    if c == "\\" {
                        var j = i + 1, h = 0
                        while at(j) == "#" { h += 1; j += 1 }
                        if h == hashes, at(j) == "(" { stack.append(.interpolation); i = j + 1; continue }
                        i = h == hashes ? j + 1 : i + 1; continue
                    }
                    if c == "\"" {
                        let quotes = multiline ? 3 : 1
                        if (0..<quotes).allSatisfy({ at(i + $0) == "\"" }) && (0..<hashes).allSatisfy({ at(i + quotes + $0) == "#" }) {
                            stack.removeLast(); i += quotes + hashes; last = "\""; lastWord = ""; continue
                        }
                    }
                    i += 1; continue
                }
                if c == "/", at(i + 1) == "/" { break }
                if c == "/", at(i + 1) == "*" { blockComment += 1; i += 2; continue }
                if c == "#" || c == "\"" {
                    var j = i, hashes = 0
                    while at(j) == "#" { hashes += 1; j += 1 }
                    if at(j) == "\"" {
                        let multiline = at(j + 1) == "\"" && at(j + 2) == "\""
                        stack.append(.string(multiline: multiline, hashes: hashes))
                        i = j + (multiline ? 3 : 1); continue
                    }
                }
                switch c {
                case "(": stack.append(.paren)
                case "[": stack.append(.bracket)
                // A brace on an if/for/... line, outside its parentheses, opens that statement's body.
                case "{": stack.append(controlLine && stack.count == lineDepth ? .body : .brace)
                case ")", "]", "}": if !stack.isEmpty { stack.removeLast() }; lineDepth = min(lineDepth, stack.count)
                default: break
                }
                if c != " " && c != "\t" {
                    last = c
                    lastWord = c.properties.isAlphabetic || c == "_" || ("0"..."9").contains(c) ? lastWord + String(c) : ""
                }
                i += 1
            }
            if let last {
                continues = "=+-*/%&|<>?^~.,:([".unicodeScalars.contains(last)
                    || ["return", "try", "await", "throw", "in", "as", "is"].contains(lastWord)
            }
        }
    }
}
