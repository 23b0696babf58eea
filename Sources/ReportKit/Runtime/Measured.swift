// A measured number and the experiments it came from: in a table or in prose it links to their records
// (output/runs/<id>.json), so every measured value in the report can be traced and rerun.
import Engine
import Foundation

public struct Measured: Codable, Sendable, Equatable {
    public var value: Double
    /// The experiments' run identities (their memo keys), in the order given.
    public var runs: [String]
    /// printf-style format when it stands in prose (a table cell uses its column's).
    public var format: String

    public init(_ value: Double, from results: [ExperimentResult], format: String = Table.Column.defaultFormat) {
        self.value = value; self.runs = results.compactMap(\.runID); self.format = format
    }

    public init(_ value: Double, from result: ExperimentResult, format: String = Table.Column.defaultFormat) {
        self.init(value, from: [result], format: format)
    }

    init(value: Double, runs: [String], format: String) { self.value = value; self.runs = runs; self.format = format }

    /// The value of `metric` (times `scale`) averaged over `results`, traced to all of them.
    public static func mean(_ results: [ExperimentResult], scale: Double = 1, format: String = Table.Column.defaultFormat,
                            _ metric: (ExperimentMetrics) -> Double) -> Measured {
        let values = results.map { metric($0.metrics) * scale }
        return Measured(values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count), from: results, format: format)
    }
}
