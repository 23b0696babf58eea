import Engine
import Foundation
import Testing

@Suite(.serialized) struct ProgressTests {
    @Test func trackerReportsStartAndLastStepWithAnEstimate() {
        final class Box: @unchecked Sendable { var events: [ProgressEvent] = [] }
        let box = Box()
        ProgressTracker.sink = { box.events.append($0) }
        defer { ProgressTracker.sink = nil }
        let tracker = ProgressTracker("encoding images", total: 4)
        for _ in 0..<4 { tracker.step() }
        #expect(box.events.first == ProgressEvent(task: "encoding images", done: 0, total: 4, secondsLeft: nil))
        #expect(box.events.last?.done == 4)
        #expect(box.events.last?.secondsLeft == 0)
        #expect(box.events.count <= 5)
    }

    @Test func linesSayWhatIsLeft() {
        #expect(ProgressEvent(task: "epochs", done: 10, total: 100, secondsLeft: 12.4).line == "epochs 10/100, about 12 s left")
        #expect(ProgressEvent(task: "epochs", done: 10, total: 100, secondsLeft: 300).line == "epochs 10/100, about 5.0 min left")
        #expect(ProgressEvent(task: "epochs", done: 100, total: 100, secondsLeft: 0).line == "epochs 100/100")
    }
}
