// Splits a chapter into front matter and Markdown, and finds its cells with cmark-gfm's parser.
import CCmarkGFM
import Foundation
import Yams

public struct ChapterError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var line: Int?
    public var reason: String

    public init(path: String, line: Int? = nil, reason: String) {
        self.path = path; self.line = line; self.reason = reason
    }

    public var description: String { line.map { "\(path):\($0): \(reason)" } ?? "\(path): \(reason)" }
}

public enum ChapterParser {
    public static func parse(file path: String) throws -> Chapter {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ChapterError(path: path, reason: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ChapterError(path: path, reason: "is not UTF-8 text")
        }
        let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        return try parse(source: text, name: name, path: path)
    }

    public static func parse(source: String, name: String, path: String) throws -> Chapter {
        let (frontMatter, body, bodyLine) = try splitFrontMatter(source, path: path)
        let document = MarkdownDocument(body)
        let blocks = try codeBlocks(in: document, lineOffset: bodyLine - 1, path: path)
        let inline = try InlineExpression.find(in: document, lineOffset: bodyLine - 1, path: path, cells: blocks.filter(\.isCell))
        return Chapter(name: name, path: path, frontMatter: frontMatter, body: body, bodyLine: bodyLine, codeBlocks: blocks,
                       inlineExpressions: inline)
    }

    /// A `---` line first, YAML up to the next `---` line.
    static func splitFrontMatter(_ source: String, path: String) throws -> (FrontMatter, String, Int) {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first.map({ $0.trimmingCharacters(in: .whitespaces) == "---" }) == true else {
            return (FrontMatter(), source, 1)
        }
        guard let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" }) else {
            throw ChapterError(path: path, line: 1, reason: "front matter opened with '---' is never closed")
        }
        let yaml = lines[1..<end].joined(separator: "\n")
        let fields: [String: Any]
        do {
            let loaded = try Yams.load(yaml: yaml)
            guard loaded == nil || loaded is [String: Any] else {
                throw ChapterError(path: path, line: 2, reason: "front matter must be 'key: value' lines")
            }
            fields = loaded as? [String: Any] ?? [:]
        } catch let error as ChapterError {
            throw error
        } catch {
            throw ChapterError(path: path, line: 2, reason: "front matter is not valid YAML: \(error)")
        }
        let known: Set<String> = ["title", "summary", "timeout", "echo", "build-record"]
        if let unknown = fields.keys.sorted().first(where: { !known.contains($0) }) {
            throw ChapterError(path: path, line: 2, reason: "unknown front-matter key '\(unknown)' (known: build-record, echo, summary, timeout, title)")
        }
        var echo: Echo?
        if let value = fields["echo"] {
            // YAML reads a bare `false` as a boolean.
            let text = (value as? Bool).map { $0 ? "show" : "false" } ?? "\(value)"
            guard let parsed = Echo(rawValue: text) else {
                throw ChapterError(path: path, line: 2, reason: "echo must be fold, show or false, not '\(text)'")
            }
            echo = parsed
        }
        var timeout: Double?
        if let value = fields["timeout"] {
            guard let seconds = (value as? Int).map(Double.init) ?? (value as? Double), seconds > 0, seconds.isFinite else {
                throw ChapterError(path: path, line: 2, reason: "timeout must be a positive number of seconds, not '\(value)'")
            }
            timeout = seconds
        }
        var buildRecord = false
        if let value = fields["build-record"] {
            guard let flag = value as? Bool else {
                throw ChapterError(path: path, line: 2, reason: "build-record must be true or false, not '\(value)'")
            }
            buildRecord = flag
        }
        let front = FrontMatter(title: fields["title"].map { "\($0)" }, summary: fields["summary"].map { "\($0)" }, timeout: timeout, echo: echo,
                                buildRecord: buildRecord)
        let body = lines[(end + 1)...].joined(separator: "\n")
        return (front, body, end + 2)
    }

    static func codeBlocks(in document: MarkdownDocument, lineOffset: Int, path: String) throws -> [CodeBlock] {
        var blocks: [CodeBlock] = []
        var cellCount = 0
        for node in document.topLevelNodes() where cmark_node_get_type(node) == CMARK_NODE_CODE_BLOCK {
            let info = String(cString: cmark_node_get_fence_info(node)).trimmingCharacters(in: .whitespaces)
            let literal = String(cString: cmark_node_get_literal(node))
            let fenceLine = Int(cmark_node_get_start_line(node)) + lineOffset
            let words = info.split(separator: " ").map(String.init)
            var fenceLength: Int32 = 0, fenceOffset: Int32 = 0, fenceChar: Int8 = 0
            let fenced = cmark_node_get_fenced(node, &fenceLength, &fenceOffset, &fenceChar) != 0
            let runs = fenced && words.first == "swift" && !words.contains("norun")
            var lines = literal.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            var options = CellOptions()
            var optionLines = 0
            while optionLines < lines.count, lines[optionLines].hasPrefix("//|") {
                let line = lines[optionLines].dropFirst(3)
                guard let colon = line.firstIndex(of: ":") else {
                    throw ChapterError(path: path, line: fenceLine + 1 + optionLines,
                                       reason: "cell option must read '//| key: value'")
                }
                let key = line[..<colon].trimmingCharacters(in: .whitespaces)
                var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
                if key == "echo", Echo(rawValue: value) == nil {
                    throw ChapterError(path: path, line: fenceLine + 1 + optionLines, reason: "echo must be fold, show or false, not '\(value)'")
                }
                options.values[key] = value
                optionLines += 1
            }
            if runs { cellCount += 1 }
            let code = lines[optionLines...].joined(separator: "\n")
            blocks.append(CodeBlock(info: info, code: code, options: options,
                                    codeLine: fenceLine + 1 + optionLines, fenceLine: fenceLine,
                                    blockIndex: blocks.count, cellNumber: runs ? cellCount : nil))
        }
        return blocks
    }
}
