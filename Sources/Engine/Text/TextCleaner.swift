// open_clip's text cleaning before BPE: ftfy.fix_text, html.unescape twice, whitespace collapsed,
// lower case. ftfy's fixes are reproduced for what prompts contain (curly quotes, ligatures,
// full-width forms, line breaks, control characters, NFC); its mojibake repair is not.
import Foundation

enum TextCleaner {
    static func clean(_ text: String) -> String {
        var s = fixText(text)
        s = HTMLEntities.unescape(HTMLEntities.unescape(s))
        // Python's str.split(): runs of whitespace (including \x1c-\x1f) become single spaces.
        let words = s.unicodeScalars.split { isPythonSpace($0) }.map { String(String.UnicodeScalarView($0)) }
        return words.joined(separator: " ").lowercased()
    }

    /// The parts of ftfy.fix_text (default configuration) that change ordinary text.
    static func fixText(_ text: String) -> String {
        // ftfy unescapes HTML itself only when the text holds no '<' and '>' (it is then not HTML).
        var s = text
        if !(s.contains("<") && s.contains(">")) { s = HTMLEntities.unescape(s) }
        var out = String.UnicodeScalarView()
        var previousCR = false
        for scalar in s.unicodeScalars {
            let v = scalar.value
            defer { previousCR = v == 0x0D }
            switch v {
            case 0x0A where previousCR: continue                                // \r\n -> \n
            case 0x0D, 0x2028, 0x2029, 0x85: out.append("\n")                  // fix_line_breaks
            case 0x02BC, 0x2018...0x201B: out.append("'")                      // uncurl_quotes
            case 0x201C...0x201F: out.append("\"")
            case 0xFB00: out.append(contentsOf: "ff".unicodeScalars)          // fix_latin_ligatures
            case 0xFB01: out.append(contentsOf: "fi".unicodeScalars)
            case 0xFB02: out.append(contentsOf: "fl".unicodeScalars)
            case 0xFB03: out.append(contentsOf: "ffi".unicodeScalars)
            case 0xFB04: out.append(contentsOf: "ffl".unicodeScalars)
            case 0xFB05, 0xFB06: out.append(contentsOf: "st".unicodeScalars)
            case 0xFF01...0xFF5E: out.append(Unicode.Scalar(v - 0xFEE0)!)     // fix_character_width
            case 0x3000: out.append(" ")
            case 0x00...0x08, 0x0B, 0x0E...0x1F, 0x7F, 0x200B, 0xFEFF, 0xFFF9...0xFFFC: continue  // remove_control_chars
            default: out.append(scalar)
            }
        }
        return String(out).precomposedStringWithCanonicalMapping      // NFC
    }

    static func isPythonSpace(_ s: Unicode.Scalar) -> Bool {
        s.properties.isWhitespace || (0x1C...0x1F).contains(s.value)
    }
}

/// Python's html.unescape for the entities prompts meet: numeric ones and the common named ones.
enum HTMLEntities {
    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{A0}", "copy": "©", "reg": "®",
        "trade": "™", "deg": "°", "plusmn": "±", "times": "×", "divide": "÷", "micro": "µ", "middot": "·",
        "ndash": "–", "mdash": "—", "hellip": "…", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
        "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "sect": "§", "para": "¶", "laquo": "«", "raquo": "»",
    ]

    static func unescape(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var i = text.startIndex
        while i < text.endIndex {
            guard text[i] == "&", let semicolon = text[i...].prefix(12).firstIndex(of: ";") else {
                out.append(text[i]); i = text.index(after: i); continue
            }
            let body = text[text.index(after: i)..<semicolon]
            var replacement: String?
            if body.hasPrefix("#x") || body.hasPrefix("#X") {
                replacement = UInt32(body.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
            } else if body.hasPrefix("#") {
                replacement = UInt32(body.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
            } else {
                replacement = named[String(body)]
            }
            if let replacement {
                out += replacement
                i = text.index(after: semicolon)
            } else {
                out.append("&"); i = text.index(after: i)
            }
        }
        return out
    }
}
