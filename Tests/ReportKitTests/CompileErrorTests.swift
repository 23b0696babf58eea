import Foundation
import Notebook
import Testing

/// A type error in a cell or an inline value is reported by the Swift compiler at the chapter's own line.
@Suite struct CompileErrorTests {
    /// The generated code alone, type-checked against the runtime types it names (the real ones live in ReportKit).
    func typecheck(_ markdown: String) throws -> (status: Int32, output: String) {
        let chapter = try ChapterParser.parse(source: markdown, name: "99-broken", path: "Chapters/99-broken.md")
        let stub = """
        public final class CellRunner {
            var line = 0
            func begin(_ n: Int) throws {}
            func finish() throws {}
            func record(_ error: Error) {}
            func inline(_ index: Int, line: Int, _ value: () throws -> Any) throws {}
        }
        public struct CompiledChapter {
            init(name: String, fingerprint: String, cellCount: Int, run: @escaping (CellRunner) throws -> Void) {}
        }
        """
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("compile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let generated = directory.appendingPathComponent("99-broken.cells.swift")
        try CellCodeGenerator.swiftSource(for: chapter, displayPath: "Chapters/99-broken.md", imports: ["Foundation"])
            .write(to: generated, atomically: true, encoding: .utf8)
        try stub.write(to: directory.appendingPathComponent("Stub.swift"), atomically: true, encoding: .utf8)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swiftc", "-typecheck", "-diagnostic-style=llvm", "-module-name", "Check", generated.path,
                             directory.appendingPathComponent("Stub.swift").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }

    @Test func aCompileErrorPointsAtTheMarkdownLine() throws {
        let (status, output) = try typecheck("""
        ---
        title: Broken
        ---

        Some prose.

        ```swift
        //| label: fig-x
        let fine = 1
        let broken: Int = "not a number"
        ```

        The value is `{swift} notDefined + 1` here.
        """)
        #expect(status != 0)
        // Line 10 of the chapter, column 19: where the string literal stands in the .md file.
        #expect(output.contains("Chapters/99-broken.md:10:19: error: cannot convert value of type 'String' to specified type 'Int'"), "\(output)")
        // The excerpt is the chapter's own line (Package.swift gives the chapters' targets -diagnostic-style=llvm), no generated line.
        #expect(output.contains("\nlet broken: Int = \"not a number\"\n"), "\(output)")
        #expect(!output.contains("#sourceLocation") && !output.contains("__cells"), "\(output)")
        // An inline value's error at its line and column in the prose.
        #expect(output.contains("Chapters/99-broken.md:13:23: error: cannot find 'notDefined' in scope"), "\(output)")
    }

    /// The line markers before statements must never change what a cell means: Swift that leans on
    /// line breaks (closures' implicit returns, if/switch expressions, continued expressions, strings
    /// spanning lines, else/catch after a brace) still compiles, and so still runs as written.
    @Test func lineMarkersKeepTrickyCellsCompiling() throws {
        let (status, output) = try typecheck(#"""
        # Tricky

        ```swift
        let values = [3, 1, 2]
        let doubled = values.map {
            $0 * 2
        }
        let total = values.reduce(0,
                                  +)
        let sum = doubled[0] +
            doubled[1]
        let sign = if sum > 0 {
            "positive"
        } else {
            "negative"
        }
        var computed: Int {
            total * 2
        }
        let text = """
        let inside = \(values.count)
            print("not code")
        """
        let word = "a \(values.map { "\($0)" }.joined()) { b"
        guard let first = values.first,
              first > 0 else { fatalError() }
        switch first {
        case 3:
            print("three")
            print(sign)
        default:
            break
        }
        do {
            let x = try JSONSerialization.data(withJSONObject: [1])
            print(x)
        } catch {
            print(error)
        }
        for (i, v) in values.enumerated() where v > 1 {
            if i == 0 { continue }
            else if i == 1 {
                print(v, text, word, computed)
            }
        }
        let chained = values
            .filter { $0 > 1 }
            .count
        /* a comment
        let notCode = 1
        */
        let ternary = chained > 1
            ? 1 : 2
        print(ternary, total, sum)
        ```
        """#)
        #expect(status == 0, "\(output)")
    }
}
