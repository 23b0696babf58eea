// The report's references: a BibTeX file beside the chapters (Chapters/references.bib), read into
// entries by key. Written for the subset a reference list needs: @type{key, field = {value} | "value" | 2024, ...},
// braces nested, @comment/@preamble/@string and % lines skipped (no string macros). No package for BibTeX is available here.
import Foundation

public struct BibEntry: Sendable, Equatable {
    public var type: String
    public var key: String
    /// Field names in lower case; values with their braces removed.
    public var fields: [String: String]
    public var line: Int

    public subscript(_ name: String) -> String? { fields[name] }

    /// Surnames of the authors (or editors), in order: "Last, First" or "First Last" both read.
    public var surnames: [String] {
        guard let people = fields["author"] ?? fields["editor"] else { return [] }
        return people.components(separatedBy: " and ").map { person in
            let name = person.trimmingCharacters(in: .whitespaces)
            if let comma = name.firstIndex(of: ",") { return String(name[..<comma]).trimmingCharacters(in: .whitespaces) }
            return name.split(separator: " ").last.map(String.init) ?? name
        }.filter { !$0.isEmpty }
    }

    /// How the text cites it: "Roth et al., 2022" (bracketed) or "Roth et al. (2022)" (in running text).
    public func citation(parenthetical: Bool) -> String {
        let names = surnames
        let who = names.count > 2 ? "\(names[0]) et al." : names.joined(separator: " and ")
        let year = fields["year"] ?? "n.d."
        return parenthetical ? "\(who.isEmpty ? key : who), \(year)" : "\(who.isEmpty ? key : who) (\(year))"
    }
}

public struct Bibliography: Sendable {
    public var entries: [String: BibEntry] = [:]

    /// TeX's accent commands as the letters they make (\"o, \'e, \`a, \^o, \~n, \c c), braces already gone.
    static func accents(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        let marks: [Character: String] = ["\"": "\u{308}", "'": "\u{301}", "`": "\u{300}", "^": "\u{302}", "~": "\u{303}", "c": "\u{327}"]
        var out = "", chars = Array(text), i = 0
        while i < chars.count {
            if chars[i] == "\\", i + 2 < chars.count, let mark = marks[chars[i + 1]] {
                var j = i + 2
                if chars[i + 1] == "c", chars[j] == " " { j += 1 }
                if j < chars.count { out += (String(chars[j]) + mark).precomposedStringWithCanonicalMapping; i = j + 1; continue }
            }
            out.append(chars[i]); i += 1
        }
        return out
    }

    public init() {}

    public static func read(_ url: URL) throws -> Bibliography {
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ChapterError(path: url.path, reason: "cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw ChapterError(path: url.path, reason: "is not UTF-8 text") }
        return try parse(text, path: url.path)
    }

    public static func parse(_ text: String, path: String) throws -> Bibliography {
        var bibliography = Bibliography()
        let chars = Array(text)
        var i = 0, line = 1
        func fail(_ reason: String) -> ChapterError { ChapterError(path: path, line: line, reason: reason) }
        func advance() { if chars[i] == "\n" { line += 1 }; i += 1 }
        // White space, and % comments between an entry's fields.
        func skipSpace() {
            while i < chars.count, chars[i].isWhitespace || chars[i] == "%" {
                if chars[i] == "%" { while i < chars.count, chars[i] != "\n" { advance() } } else { advance() }
            }
        }
        // A braced value without its outer braces (inner braces dropped too: they only protect case in BibTeX).
        func braced() throws -> String {
            var depth = 0, out = ""
            repeat {
                guard i < chars.count else { throw fail("a '{' is never closed") }
                let c = chars[i]
                if c == "{" { depth += 1 } else if c == "}" { depth -= 1 } else { out.append(c) }
                advance()
            } while depth > 0
            return out
        }
        while i < chars.count {
            // Outside entries: a % comment runs to the end of its line; other text is ignored.
            if chars[i] == "%" { while i < chars.count, chars[i] != "\n" { advance() }; continue }
            guard chars[i] == "@" else { advance(); continue }
            advance()
            let start = line
            var type = ""
            while i < chars.count, chars[i].isLetter { type.append(chars[i]); advance() }
            type = type.lowercased()
            if type == "comment" && (i >= chars.count || (chars[i] != "{" && chars[i] != "(")) {
                while i < chars.count, chars[i] != "\n" { advance() }    // @comment to the end of its line
                continue
            }
            skipSpace()
            guard i < chars.count, chars[i] == "{" || chars[i] == "(" else { throw fail("@\(type) needs '{' after it") }
            if ["comment", "preamble", "string"].contains(type) {
                if chars[i] == "{" { _ = try braced(); continue }
                // @comment( ... ): to the matching parenthesis
                var depth = 0
                repeat {
                    guard i < chars.count else { throw fail("a '(' is never closed") }
                    if chars[i] == "(" { depth += 1 } else if chars[i] == ")" { depth -= 1 }
                    advance()
                } while depth > 0
                continue
            }
            advance()
            skipSpace()
            var key = ""
            while i < chars.count, chars[i] != ",", !chars[i].isWhitespace { key.append(chars[i]); advance() }
            skipSpace()
            guard !key.isEmpty, i < chars.count, chars[i] == "," else { throw fail("@\(type) needs a key and a comma after it") }
            guard bibliography.entries[key] == nil else { throw fail("key \(key) appears twice") }
            advance()
            var fields: [String: String] = [:]
            while true {
                skipSpace()
                guard i < chars.count else { throw fail("entry \(key) is never closed") }
                if chars[i] == "}" || chars[i] == ")" { advance(); break }
                var name = ""
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "-" || chars[i] == "_" { name.append(chars[i]); advance() }
                skipSpace()
                guard !name.isEmpty, i < chars.count, chars[i] == "=" else { throw fail("entry \(key): expected 'field = value'") }
                advance()
                skipSpace()
                guard i < chars.count else { throw fail("entry \(key) is never closed") }
                var value = ""
                if chars[i] == "{" { value = try braced() }
                else if chars[i] == "\"" {
                    advance()
                    while i < chars.count, chars[i] != "\"" { if chars[i] != "{" && chars[i] != "}" { value.append(chars[i]) }; advance() }
                    guard i < chars.count else { throw fail("entry \(key): a '\"' is never closed") }
                    advance()
                } else {
                    while i < chars.count, chars[i].isLetter || chars[i].isNumber { value.append(chars[i]); advance() }
                }
                fields[name.lowercased()] = Self.accents(value.split(whereSeparator: \.isWhitespace).joined(separator: " "))
                skipSpace()
                if i < chars.count, chars[i] == "," { advance() }
            }
            bibliography.entries[key] = BibEntry(type: type, key: key, fields: fields, line: start)
        }
        return bibliography
    }
}
