// What cells produce, typed; captured in the chapter's process, rendered by the site builder.
import Foundation

public enum CellOutput: Codable, Sendable, Equatable {
    /// Whatever the cell printed (stdout and stderr, in order).
    case text(String)
    case table(Table)
    /// A figure file relative to the site root, with its label and caption.
    case figure(path: String, label: String?, caption: String?)
    case markdown(String)
    /// The error the cell threw.
    case error(String)

    /// Where a figure's PDF twin lies beside it, for the PDF edition ("figures/a-1-1.svg" → "figures/a-1-1.pdf").
    public static func printPath(of path: String) -> String {
        ((path as NSString).deletingPathExtension as String) + ".pdf"
    }
}

public enum CellStatus: String, Codable, Sendable {
    case ok, failed, notRun
}

public struct CellResult: Codable, Sendable, Equatable {
    public var number: Int
    public var status: CellStatus
    public var outputs: [CellOutput]
    public var seconds: Double
    /// The chapter line of the statement that threw, when the cell failed there.
    public var line: Int? = nil
}

public struct ChapterResult: Codable, Sendable, Equatable {
    public var chapter: String
    public var cells: [CellResult]
    /// True when the chapter's process ran to the end (no crash, no uncaught error).
    public var completed: Bool
    /// Set by the builder when the process crashed: how it ended and what it printed last.
    public var crash: String?
    /// The prose's inline values by position (absent: not reached).
    public var inlineValues: [Int: InlineValue]? = nil
    /// Every experiment a cell ran or took from the memo, by run identity: the site writes them to runs/.
    public var runs: [String: RunRecord]? = nil
    /// Whether a cell read the build's data or model (`ReportSettings.current`, `ReportInputs.current()`); nil: unknown, so yes.
    public var readsInputs: Bool? = nil
    /// The experiments the chapter asked for: served from the memo, or run.
    public var experiments: ExperimentTally? = nil
}

/// An inline value as it reads, and the runs it came from when it is measured.
public struct InlineValue: Codable, Sendable, Equatable {
    public var text: String
    public var runs: [String]
    /// What the expression threw, when it did.
    public var error: String? = nil
}

public struct ExperimentTally: Codable, Sendable, Equatable {
    public var memoised = 0
    public var ran = 0
}
