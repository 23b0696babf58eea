@testable import ReportKit
import Testing

/// Measured estimates with their intervals, and published columns that never compete for bold.
@Suite struct TableTests {
    @Test func anEstimateShowsItsIntervalAndOnlyMeasuredColumnsAreRanked() {
        let table = Table(
            columns: [.text("class"), Table.Column("A (measured)", format: "%.1f"), .published("A (published)", format: "%.1f"), Table.Column("B (measured)", format: "%.1f")],
            rows: [[.text("bottle"), .estimate(Measured(value: 90.04, runs: ["r1", "r2"], format: "%.1f"), low: 88.96, high: 91.1), .number(99.5),
                    .measured(Measured(value: 91.0, runs: ["r3"], format: "%.1f"))]],
            boldBestPerRow: true)
        let row = table.displayRows()[0]
        #expect(row[1].text == "90.0 (89.0–91.1)" && row[1].runs == ["r1", "r2"])
        #expect(!row[2].bold, "a published value is never the row's best, however large")
        #expect(row[3].bold && !row[1].bold)
    }
}
