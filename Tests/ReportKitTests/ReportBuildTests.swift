import Chapters
import Foundation
@testable import ReportKit
import Testing

/// Runs the real `report` binary (built beside the tests) on a copy of the package's chapters.
@Suite(.serialized) struct ReportBuildTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var reportBinary: URL? {
        let products = Bundle.main.bundleURL.deletingLastPathComponent()
        let candidates = [products.appendingPathComponent("report"), Bundle.main.bundleURL.appendingPathComponent("report")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    func scratchProject() throws -> URL {
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Chapters"), withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.packageRoot.appendingPathComponent("Chapters").path)
        where name.hasSuffix(".md") {
            try FileManager.default.copyItem(at: Self.packageRoot.appendingPathComponent("Chapters/\(name)"),
                                             to: root.appendingPathComponent("Chapters/\(name)"))
        }
        return root
    }

    func run(_ arguments: [String], in root: URL) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = try #require(Self.reportBinary, "the report binary is built with the tests")
        process.arguments = arguments
        process.currentDirectoryURL = root
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func everyChapterOnDiskIsCompiledIntoTheBinary() throws {
        let project = Project(root: Self.packageRoot)
        let chapters = try project.chapters()
        #expect(!chapters.isEmpty)
        let builder = ReportBuilder(project: project, compiled: compiledChapters, executable: URL(fileURLWithPath: "/"), log: { _ in })
        #expect(try builder.matchCompiled(chapters).map(\.name) == chapters.map(\.name))
    }

    @Test func buildWritesTheSiteWithTableAndValidFigure() throws {
        let root = try scratchProject()
        defer { try? FileManager.default.removeItem(at: root) }
        let (status, output) = try run(["build"], in: root)
        #expect(status == 0, "report build failed:\n\(output)")
        let index = try String(contentsOf: root.appendingPathComponent("output/index.html"), encoding: .utf8)
        #expect(index.contains("<table>"), "the chapter's Markdown table")
        #expect(index.contains("<table class=\"result\">"), "the cell's Table")
        #expect(index.contains("DevPrompt (published)"))
        #expect(index.contains("OpenBLAS:"), "printed text is captured")
        let figure = try #require(index.range(of: #"<img src="(figures/[^"]+\.svg)""#, options: .regularExpression))
        let src = String(index[figure].dropFirst(10).dropLast(1))
        let svg = try String(contentsOf: root.appendingPathComponent("output/" + src), encoding: .utf8)
        #expect(svg.hasPrefix("<?xml") && svg.contains("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("output/assets/style.css").path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasPrefix(".output.") }
        #expect(leftovers.isEmpty, "staging folders are removed: \(leftovers)")

        let listed = try run(["list"], in: root)
        #expect(listed.status == 0 && listed.output.contains("00-about.md") && listed.output.contains("compiled"))

        let cleaned = try run(["clean"], in: root)
        #expect(cleaned.status == 0)
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("output/index.html").path))
    }

    @Test func anEditedChapterIsRefusedUntilRecompiled() throws {
        let root = try scratchProject()
        defer { try? FileManager.default.removeItem(at: root) }
        let about = root.appendingPathComponent("Chapters/00-about.md")
        let text = try String(contentsOf: about, encoding: .utf8)
        try text.replacingOccurrences(of: "print(\"engine version:\"", with: "print(\"engine:\"").write(to: about, atomically: true, encoding: .utf8)
        let (status, output) = try run(["build"], in: root)
        #expect(status == 2)
        #expect(output.contains("Chapters/00-about.md changed since `report` was compiled"))
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("output").path), "no half-written site")
    }

    @Test func cellOutputIsEscaped() {
        #expect(HTML.escape("<script>alert('x')</script> & \"q\"") == "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
    }
}
