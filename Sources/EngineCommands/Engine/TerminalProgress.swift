import Engine
import Foundation
import ReportKit

/// Engine progress on stderr: one rewritten line on a terminal, a line per second otherwise.
enum TerminalProgress {
    static func install() {
        let terminal = isatty(2) != 0
        nonisolated(unsafe) var last = Date.distantPast
        ProgressTracker.sink = { event in
            if terminal {
                FileHandle.standardError.write("\r\u{1B}[K\(event.line)\(event.done == event.total ? "\n" : "")".data(using: .utf8)!)
            } else if event.done == event.total || Date().timeIntervalSince(last) >= 1 {
                last = Date()
                FileHandle.standardError.write("\(event.line)\n".data(using: .utf8)!)
            }
        }
    }
}
