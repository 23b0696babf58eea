import Foundation

/// The `**[choice]**` markers of source files: where the engine settles what the paper leaves open.
/// The report's appendix lists them from here, baked in at build time, so the list cannot drift from the code.
public enum ChoiceMarkers {
    public struct Marker: Sendable, Equatable {
        public var file: String
        public var line: Int
        public var text: String
        public init(file: String, line: Int, text: String) { self.file = file; self.line = line; self.text = text }
    }

    static let marker = "**[choice]**"

    /// Each marker in `source` (a Swift file's text) with its sentence: the rest of the comment line, and the
    /// comment lines after it until the sentence ends (at most three in all).
    public static func scan(_ source: String, file: String) -> [Marker] {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var markers: [Marker] = []
        for (index, line) in lines.enumerated() {
            guard let range = line.range(of: marker) else { continue }
            var text = line[range.upperBound...].trimmingCharacters(in: .whitespaces)
            var next = index + 1
            while !text.hasSuffix("."), next < lines.count, next < index + 3, let more = commentText(lines[next]) {
                text += " " + more
                next += 1
            }
            markers.append(Marker(file: file, line: index + 1, text: text))
        }
        return markers
    }

    /// The text of a `//` or `///` comment line, nil for anything else.
    static func commentText(_ line: String) -> String? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("//") else { return nil }
        let text = trimmed.drop { $0 == "/" }.trimmingCharacters(in: .whitespaces)
        return text.isEmpty ? nil : text
    }

    /// A Swift array literal of the markers, for generated code.
    public static func swiftLiteral(_ markers: [Marker]) -> String {
        func quoted(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "[\n" + markers.map { "    (file: \(quoted($0.file)), line: \($0.line), text: \(quoted($0.text))),\n" }.joined() + "]"
    }
}
