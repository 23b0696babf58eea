// How the chapters before this one ran in this build, for a chapter with `build-record: true` (the appendix):
// the builder hands it over through the environment and keys the chapter's cache with it.
import Foundation

public struct BuildRecord: Codable, Sendable, Equatable {
    public struct ChapterRun: Codable, Sendable, Equatable {
        public var chapter: String
        public var title: String
        public var cells: Int
        /// Seconds its cells took in the run its results come from (this build's, or the cached one's): not whether it
        /// was cached, so the rebuild after a chapter ran finds the same record and keeps the appendix cached.
        public var seconds: Double
        public var experimentsRun: Int
        public var experimentsMemoised: Int
    }

    public var chapters: [ChapterRun]

    static let variable = "REPORT_BUILD_RECORD"

    /// The record handed to this chapter's process; nil unless its front matter says `build-record: true`.
    public static var current: BuildRecord? {
        guard let text = ProcessInfo.processInfo.environment[variable], !text.isEmpty else { return nil }
        return try? JSONDecoder().decode(BuildRecord.self, from: Data(text.utf8))
    }

    /// The JSON the builder puts in the environment (sorted keys: the same record is the same text, hence the same cache key).
    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
