@testable import Engine
import Foundation
import Notebook
@testable import ReportKit
import Testing

/// Every measured number links to the record of the runs it came from; `report runs` lists and prints them.
@Suite struct TraceabilityTests {
    func result(_ id: String, className: String, pixel: Double) -> ExperimentResult {
        var r = ExperimentResult(configuration: ExperimentConfiguration(dataset: .synthetic, className: className), model: "m", modelIdentity: "i",
                                 dataRoot: "/d", shots: ["train/good/000.png"], taps: [], gridWidth: 1, gridHeight: 1, images: [],
                                 metrics: ExperimentMetrics(imageAUROC: 0.9, pixelAUROC: pixel, aupro: 0.7, f1max: 0.5, pixelF1max: 0.4, imageAUROCInterval: []),
                                 losses: [], seconds: ["train": 1.5], cacheHits: 0, cacheMisses: 0)
        r.runID = id; r.code = "engine+abc"; r.finished = "2026-12-01T00:00:00Z"
        return r
    }

    @Test func tableCellsAndInlineValuesLinkToTheirRunsAndTheSiteWritesTheRecords() throws {
        let a = result("aaaa1111", className: "nut", pixel: 0.8), b = result("bbbb2222", className: "wood", pixel: 0.6)
        let table = Table(columns: [.text("class"), Table.Column("pixel AUROC", format: "%.1f")],
                          rows: [[.text("nut"), .measured(Measured(80, from: a))], [.text("wood"), .measured(Measured(60, from: b))]],
                          meanRow: true)
        #expect(table.displayRows().last!.last!.runs == ["aaaa1111", "bbbb2222"], "the mean is traced to both runs")
        let chapter = try ChapterParser.parse(source: "Mean `{swift} x` here.\n\n```swift\nlet x = 1\n```\n", name: "01-t", path: "Chapters/01-t.md")
        let mean = Measured.mean([a, b], scale: 100, format: "%.1f") { $0.pixelAUROC }
        #expect(mean.value == 70 && mean.runs == ["aaaa1111", "bbbb2222"])
        let chapterResult = ChapterResult(chapter: "01-t", cells: [CellResult(number: 1, status: .ok, outputs: [.table(table)], seconds: 0.1)],
                                          completed: true, crash: nil,
                                          inlineValues: [0: InlineValue(text: InlineText.of(mean), runs: InlineText.runs(of: mean))],
                                          runs: ["aaaa1111": RunRecord(a), "bbbb2222": RunRecord(b)])
        let numbering = ChapterPage.Numbering()
        let html = ChapterPage(chapter: chapter, result: chapterResult, numbering: numbering, fileName: "index.html").articleHTML()
        #expect(html.contains(#"<td class="num"><a class="run" href="runs/aaaa1111.json" title="devprompt on nut, 1-shot, seed 111: image AUROC 0.900, pixel AUROC 0.800, AUPRO 0.700 (run aaaa1111)">80.0</a></td>"#), "\(html)")
        let group = RunRecord.groupID(["aaaa1111", "bbbb2222"])
        #expect(html.contains(#"<a class="run" href="runs/\#(group).json""#) && html.contains(">70.0</a></span>"), "the inline mean links to its group")

        let site = FileManager.default.temporaryDirectory.appendingPathComponent("runs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: site) }
        try RunRecordWriter.write(results: [chapterResult], linked: numbering.linkedRuns, groups: numbering.groups, into: site)
        let record = try JSONDecoder().decode(RunRecord.self, from: Data(contentsOf: site.appendingPathComponent("runs/aaaa1111.json")))
        #expect(record.configuration.className == "nut" && record.code == "engine+abc" && record.seconds["train"] == 1.5)
        let written = try JSONDecoder().decode(RunGroup.self, from: Data(contentsOf: site.appendingPathComponent("runs/\(group).json")))
        #expect(written.runs == ["aaaa1111", "bbbb2222"])
        // The record is what `report eval --config` reads: a "configuration" at its top.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: site.appendingPathComponent("runs/aaaa1111.json"))) as? [String: Any]
        #expect(json?["configuration"] is [String: Any])
    }

    @Test func reportRunsListsAndShowsTheMemo() throws {
        let report = try ReportRunner(binary: "ReportFixtures", chapters: FixtureChapterTests.chapters)
        defer { report.remove() }
        let store = ExperimentStore(directory: report.root.appendingPathComponent(".report-cache/experiments"))
        try FileManager.default.createDirectory(at: store.directory, withIntermediateDirectories: true)
        try store.store(result("c0ffee01", className: "nut", pixel: 0.8), key: "c0ffee01")
        try store.store(result("c0ffee02", className: "wood", pixel: 0.6), key: "c0ffee02")
        let listed = try report.run(["runs"])
        #expect(listed.status == 0 && listed.output.contains("c0ffee01") && listed.output.contains("wood"), "\(listed.output)")
        #expect(listed.output.contains(" 90.0   80.0   70.0"))
        let shown = try report.run(["runs", "show", "c0ffee02"])
        #expect(shown.status == 0 && shown.output.contains("\"className\" : \"wood\""), "\(shown.output)")
        let ambiguous = try report.run(["runs", "show", "c0ffee"])
        #expect(ambiguous.status == 1 && ambiguous.output.contains("2 runs start with c0ffee"))
    }
}
