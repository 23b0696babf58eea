import Foundation
@testable import ReportKit
import Testing

/// The appendix's list of choices is baked in at build time: it must be every marker in the engine, each where it says.
@Suite struct EngineChoicesTests {
    @Test func everyMarkerOfTheEngineIsListedAtItsLine() throws {
        let sources = ReportRunner.packageRoot.appendingPathComponent("Sources")
        var found = 0
        let files = FileManager.default.enumerator(atPath: sources.appendingPathComponent("Engine").path)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent("Engine/\(file)"), encoding: .utf8)
            found += text.components(separatedBy: "**[choice]**").count - 1
        }
        #expect(found > 0)
        #expect(EngineChoices.all.count == found, "a marker added or removed since the package was built is listed")
        for choice in EngineChoices.all {
            let lines = try String(contentsOf: ReportRunner.packageRoot.appendingPathComponent(choice.file), encoding: .utf8).components(separatedBy: "\n")
            #expect(lines[choice.line - 1].contains("**[choice]**"), "\(choice.file):\(choice.line)")
            #expect(!choice.text.isEmpty)
        }
    }
}
