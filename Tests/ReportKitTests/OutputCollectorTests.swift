import Foundation
@testable import ReportKit
import Testing

@Suite struct OutputCollectorTests {
    @Test func progressLinesAreSeparatedFromTheLogAcrossChunkBoundaries() {
        final class Box: @unchecked Sendable { var seen: [ChildProgress] = [] }
        let box = Box()
        let collector = OutputCollector { box.seen.append($0) }
        collector.append(Data("\u{1}cell 2/5\nplain text\n\u{1}eng".utf8))
        collector.append(Data("ine encoding 3/9, about 4 s left\ntail without newline".utf8))
        #expect(box.seen == [.cell(2, of: 5), .engine("encoding 3/9, about 4 s left")])
        #expect(String(decoding: collector.finish(), as: UTF8.self) == "plain text\ntail without newline")
    }

    @Test func malformedProgressIsKeptAsText() {
        #expect(OutputCollector.progress(Data("\u{1}cell x/5".utf8)) == nil)
        #expect(OutputCollector.progress(Data("cell 1/5".utf8)) == nil)
    }
}
