import Foundation
import Testing

/// The two fingerprints the EngineFingerprint plugin bakes in: the engine's (which keys memoised
/// experiments) changes only with the engine's sources; the presentation's only with its own.
@Suite struct SourceFingerprintTests {
    func fingerprints(engine: [URL], presentation: [URL]) throws -> (engine: String, presentation: String) {
        let products = Bundle.main.bundleURL.deletingLastPathComponent()
        let tool = try #require([products.appendingPathComponent("ChapterCompiler"), Bundle.main.bundleURL.appendingPathComponent("ChapterCompiler")]
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }, "ChapterCompiler is built with the tests")
        let output = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fp-\(UUID().uuidString).swift")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = tool
        process.arguments = ["--fingerprint", output.path, "engineSourceFingerprint=\(engine.count)",
                             "presentationSourceFingerprint=\(presentation.count)"] + (engine + presentation).map(\.path)
        try process.run()
        process.waitUntilExit()
        let text = try String(contentsOf: output, encoding: .utf8)
        func value(_ name: String) -> String {
            text.components(separatedBy: "let \(name) = \"").dropFirst().first?.components(separatedBy: "\"").first ?? ""
        }
        return (value("engineSourceFingerprint"), value("presentationSourceFingerprint"))
    }

    @Test func editingThePresentationKeepsTheEnginesFingerprintAndTheMemo() throws {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let engine = dir.appendingPathComponent("Loss.swift"), runtime = dir.appendingPathComponent("Table.swift")
        try "let margin = 5".write(to: engine, atomically: true, encoding: .utf8)
        try "let bold = true".write(to: runtime, atomically: true, encoding: .utf8)
        let before = try fingerprints(engine: [engine], presentation: [runtime])
        try "let bold = false".write(to: runtime, atomically: true, encoding: .utf8)
        let presented = try fingerprints(engine: [engine], presentation: [runtime])
        #expect(presented.engine == before.engine && presented.presentation != before.presentation)
        try "let margin = 3".write(to: engine, atomically: true, encoding: .utf8)
        let computed = try fingerprints(engine: [engine], presentation: [runtime])
        #expect(computed.engine != presented.engine && computed.presentation == presented.presentation)
    }
}
