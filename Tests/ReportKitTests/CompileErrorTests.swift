import Foundation
import Notebook
import Testing

/// A type error in a cell or an inline value is reported by the Swift compiler at the chapter's own line.
@Suite struct CompileErrorTests {
    @Test func aCompileErrorPointsAtTheMarkdownLine() throws {
        let markdown = """
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
        """
        let chapter = try ChapterParser.parse(source: markdown, name: "99-broken", path: "Chapters/99-broken.md")
        // The generated code alone, against the two runtime types it names (the real ones live in ReportKit).
        let stub = """
        public final class CellRunner {
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
        process.arguments = ["swiftc", "-typecheck", "-module-name", "Check", generated.path, directory.appendingPathComponent("Stub.swift").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        // Line 10 of the chapter, column 19: where the string literal stands in the .md file.
        #expect(output.contains("Chapters/99-broken.md:10:19: error: cannot convert value of type 'String' to specified type 'Int'"), "\(output)")
        // An inline value's error at its line and column in the prose.
        #expect(output.contains("Chapters/99-broken.md:13:23: error: cannot find 'notDefined' in scope"), "\(output)")
    }
}
