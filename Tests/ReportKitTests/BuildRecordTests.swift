import Foundation
import Notebook
@testable import ReportKit
import Testing

@Suite struct BuildRecordTests {
    let chapter = try! ChapterParser.parse(source: "---\ntitle: Appendix\nbuild-record: true\n---\n\n```swift\nprint(1)\n```\n",
                                           name: "90-appendix", path: "Chapters/90-appendix.md")
    let inputs = InputFingerprints(engine: "e", data: "d", model: "m")
    func run(_ seconds: Double, experiments: Int = 0) -> BuildRecord {
        BuildRecord(chapters: [.init(chapter: "01-task", title: "The task", cells: 6, seconds: seconds, experimentsRun: experiments, experimentsMemoised: 0)])
    }

    @Test func theFrontMatterAsksForTheRecord() throws {
        #expect(chapter.frontMatter.buildRecord)
        #expect(try !ChapterParser.parse(source: "---\ntitle: T\n---\n", name: "t", path: "t.md").frontMatter.buildRecord)
        #expect(throws: ChapterError.self) { try ChapterParser.parse(source: "---\ntitle: T\nbuild-record: often\n---\n", name: "t", path: "t.md") }
    }

    /// The same record keys the chapter as before (it stays cached, also on the rebuild after a chapter ran, whose cached
    /// result has the same seconds); another run of an earlier chapter reruns it.
    @Test func theRecordKeysTheChapter() {
        let plain = ChapterCache.key(chapter: chapter, inputs: inputs)
        let first = ChapterCache.key(chapter: chapter, inputs: inputs, record: run(1.5))
        #expect(first == ChapterCache.key(chapter: chapter, inputs: inputs, record: run(1.5)))
        #expect(first != plain)
        #expect(first != ChapterCache.key(chapter: chapter, inputs: inputs, record: run(2.5)))
        #expect(first != ChapterCache.key(chapter: chapter, inputs: inputs, record: run(1.5, experiments: 3)))
        #expect(first.inputs == plain.inputs, "the record is part of the code key, not of the inputs")
    }

    @Test func theRecordTravelsAsJSON() throws {
        let record = run(3.25, experiments: 2)
        #expect(try JSONDecoder().decode(BuildRecord.self, from: Data(record.json.utf8)) == record)
    }
}
