import Foundation
import Testing

/// Runs a `report` binary built beside the tests on a scratch copy of some chapters.
struct ReportRunner {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    let binary: URL
    let root: URL
    /// Whether `build` typesets the PDF; off unless a test is about it (LuaLaTeX adds seconds to every build).
    var pdf = false
    /// Variables set for the binary on top of this process's.
    var environment: [String: String] = [:]

    /// `binary`: "report" (the package's chapters) or "ReportFixtures" (Tests/Fixtures/FixtureChapters).
    init(binary name: String, chapters: URL) throws {
        let products = Bundle.main.bundleURL.deletingLastPathComponent()
        let candidates = [products.appendingPathComponent(name), Bundle.main.bundleURL.appendingPathComponent(name)]
        binary = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) },
                              "\(name) is built with the tests")
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("report-\(UUID().uuidString)")
        let fm = FileManager.default
        try fm.createDirectory(at: root.appendingPathComponent("Chapters"), withIntermediateDirectories: true)
        for file in try fm.contentsOfDirectory(atPath: chapters.path) where file.hasSuffix(".md") || file.hasSuffix(".bib") {
            try fm.copyItem(at: chapters.appendingPathComponent(file), to: root.appendingPathComponent("Chapters/\(file)"))
        }
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + (arguments.first == "build" && !pdf && !arguments.contains("--no-pdf") ? ["--no-pdf"] : [])
        process.currentDirectoryURL = root
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func page(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("output/\(name)"), encoding: .utf8)
    }

    /// A page of the last failed build, which leaves the previous site in output/ and its own pages in output.failed/.
    func failedPage(_ name: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent("output.failed/\(name)"), encoding: .utf8)
    }

    func edit(_ chapter: String, _ transform: (String) -> String) throws {
        let url = root.appendingPathComponent("Chapters/\(chapter)")
        try transform(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
