import Foundation
import Testing

/// `report preview` end to end: a real server on 127.0.0.1, a saved edit, the served page changing,
/// a failed rebuild reported while the last good site stays served.
@Suite struct PreviewTests {
    /// A scratch project holding one fixture chapter (one that builds cleanly).
    func project() throws -> ReportRunner {
        let chapters = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("preview-chapters-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: chapters, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: chapters) }
        try FileManager.default.copyItem(at: FixtureChapterTests.chapters.appendingPathComponent("01-cells.md"),
                                         to: chapters.appendingPathComponent("01-cells.md"))
        return try ReportRunner(binary: "ReportFixtures", chapters: chapters)
    }

    func get(_ url: String) -> (status: Int, body: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-s", "--path-as-is", "-w", "\n%{http_code}", url]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return (0, "") }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let newline = text.lastIndex(of: "\n") else { return (0, text) }
        return (Int(text[text.index(after: newline)...]) ?? 0, String(text[..<newline]))
    }

    /// Polls until `condition` holds on the status or `seconds` pass.
    func wait(_ seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(200_000)
        }
        return condition()
    }

    @Test func aSavedEditIsServedAndAFailedRebuildKeepsTheLastGoodSite() throws {
        let report = try project()
        defer { report.remove() }
        let log = report.root.appendingPathComponent("preview.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = report.binary
        process.arguments = ["preview", "--port", "0"]
        process.currentDirectoryURL = report.root
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // The address it listens on, from its first line.
        var base = ""
        #expect(wait(30) {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            guard let range = text.range(of: #"http://127\.0\.0\.1:[0-9]+/"#, options: .regularExpression) else { return false }
            base = String(text[range])
            return true
        }, "no address printed")
        try #require(!base.isEmpty)
        #expect(wait(60) { get(base + "__preview/status").body.contains(#""state":"ok""#) }, "the first build did not finish")

        // Pages come with the reload script (the only chapter is the site's index); nothing outside the site is served.
        let first = get(base)
        #expect(first.status == 200 && first.body.contains("<script src=\"/__preview/reload.js\"></script></body>"))
        #expect(get(base + "__preview/reload.js").body.contains("new WebSocket("))
        #expect(get(base + "../Chapters/01-cells.md").status == 404)
        #expect(get(base + "%2e%2e/Chapters/01-cells.md").status == 404)

        // A saved edit of the prose: rebuilt, and the served page changes.
        try report.edit("01-cells.md") { $0 + "\nEdited while the preview ran.\n" }
        #expect(wait(60) { get(base).body.contains("Edited while the preview ran.") }, "the edit was not served")
        #expect(wait(10) { get(base + "__preview/status").body.contains(#""generation":2"#) })

        // A broken reference fails the rebuild: the status says why, the last good page is still served.
        try report.edit("01-cells.md") { $0 + "\nSee @fig-nowhere.\n" }
        #expect(wait(60) { get(base + "__preview/status").body.contains(#""state":"failed""#) }, "the failure was not reported")
        let status = get(base + "__preview/status").body
        #expect(status.contains("@fig-nowhere refers to no figure or table label"), "\(status)")
        let kept = get(base).body
        #expect(kept.contains("Edited while the preview ran.") && !kept.contains("fig-nowhere"))

        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGTERM)
    }
}
