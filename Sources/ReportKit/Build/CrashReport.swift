// What a reader needs first from a crashed chapter's log: the runtime's reason ("Fatal error: Index out of
// range") and the chapter's own line the backtrace names; the rest of the log comes after, folded.
import Foundation

struct CrashReport: Equatable {
    /// How the process ended ("The process was killed by signal 4 ..."), the first line of the builder's note.
    var ending: String
    /// The Swift runtime's message, when the log has one.
    var reason: String?
    /// The chapter's line (and column) in the first backtrace frame inside the chapter's .md.
    var line: Int?
    var column: Int?
    /// Everything else: the log's tail with the backtrace.
    var log: String

    /// `printed`: what the crashed cell printed (the runtime writes its message and backtrace there while a cell runs).
    init(_ crash: String, printed: [String] = [], chapter: String) {
        let own = crash.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        ending = own.first ?? crash
        log = own.dropFirst().joined(separator: "\n")
        let lines = Array(own.dropFirst()) + printed.flatMap { $0.split(separator: "\n").map(String.init) }
        let markers = ["Fatal error:", "Precondition failed:", "Assertion failed:", "Unexpectedly found nil", "Illegal instruction"]
        reason = lines.lazy.compactMap { line -> String? in
            guard let marker = markers.first(where: { line.contains($0) }) else { return nil }
            return String(line[line.range(of: marker)!.lowerBound...]).trimmingCharacters(in: .whitespaces)
        }.first
        // "... at Chapters/10-devprompt.md:35:7" (the path as the chapter was compiled, relative or not)
        for text in lines where text.contains("\(chapter).md:") {
            guard let range = text.range(of: "\(chapter).md:") else { continue }
            let numbers = text[range.upperBound...].split(separator: ":", maxSplits: 2).map { $0.prefix { $0.isNumber } }
            if let first = numbers.first, let l = Int(first) { line = l; column = numbers.count > 1 ? Int(numbers[1]) : nil; break }
        }
    }
}

extension ChapterResult {
    /// What the cells that failed printed: where a crash's message and backtrace land.
    var failedCellText: [String] {
        cells.filter { $0.status == .failed }.flatMap { $0.outputs }.compactMap { if case .text(let t) = $0 { return t } else { return nil } }
    }
}
