// Long engine work (encoding images, training epochs) reports how far it is; whoever runs the
// engine decides where that goes (the report's terminal line, a CLI's stderr, or nowhere).
import Foundation

public struct ProgressEvent: Sendable, Equatable {
    public var task: String
    public var done: Int
    public var total: Int
    /// Estimated seconds left, from the rate so far; nil until the first step is done.
    public var secondsLeft: Double?

    public init(task: String, done: Int, total: Int, secondsLeft: Double?) {
        self.task = task; self.done = done; self.total = total; self.secondsLeft = secondsLeft
    }

    /// "encoding test images 40/150, about 12 s left"
    public var line: String {
        var text = "\(task) \(done)/\(total)"
        if let secondsLeft, done < total {
            text += secondsLeft < 90 ? String(format: ", about %.0f s left", secondsLeft)
                                     : String(format: ", about %.1f min left", secondsLeft / 60)
        }
        return text
    }
}

/// One task's progress: create it with the total, call `step()` as items finish.
public final class ProgressTracker {
    /// Where every tracker's events go; nil drops them.
    nonisolated(unsafe) public static var sink: ((ProgressEvent) -> Void)?

    let task: String
    let total: Int
    let started = Date()
    private var done = 0
    private var lastReport = Date.distantPast
    private let lock = NSLock()

    public init(_ task: String, total: Int) {
        self.task = task
        self.total = total
        ProgressTracker.sink?(ProgressEvent(task: task, done: 0, total: total, secondsLeft: nil))
    }

    /// Marks `count` more items done; reports at most ten times a second, and always the last step.
    public func step(_ count: Int = 1) {
        lock.lock()
        done += count
        let now = Date(), current = done
        let due = current >= total || now.timeIntervalSince(lastReport) >= 0.1
        if due { lastReport = now }
        lock.unlock()
        guard due, let sink = ProgressTracker.sink else { return }
        let elapsed = now.timeIntervalSince(started)
        let left = current > 0 ? elapsed / Double(current) * Double(max(total - current, 0)) : nil
        sink(ProgressEvent(task: task, done: current, total: total, secondsLeft: left))
    }
}

/// Things a user should know that are not errors ("a damaged cache entry was dropped and is being
/// recomputed"); whoever runs the engine decides where they go (stderr by default, the build's log).
public enum Notice {
    nonisolated(unsafe) public static var sink: ((String) -> Void)? = { text in
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    public static func post(_ text: String) { sink?(text) }
}
