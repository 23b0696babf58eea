// Generation overlapped with training: a background thread keeps a few batches of fresh images
// ready, so the trainer never waits for the renderer (it costs a fraction of one core).
import Foundation

public final class BatchProducer: @unchecked Sendable {
    private let condition = NSCondition()
    private var ready: [PretrainingBatch] = []
    private var stopped = false
    private let depth: Int

    public init(stream: CaptionStream, batchSize: Int, configuration: CLIPConfiguration, depth: Int = 3) {
        self.depth = depth
        let thread = Thread { [self] in
            var stream = stream
            while true {
                let batch = PretrainingBatch.make(&stream, count: batchSize, configuration: configuration)
                condition.lock()
                while ready.count >= depth && !stopped { condition.wait() }
                if stopped { condition.unlock(); return }
                ready.append(batch)
                condition.signal()
                condition.unlock()
            }
        }
        thread.start()
    }

    /// The next batch, in the stream's order (so a seed repeats the run).
    public func next() -> PretrainingBatch {
        condition.lock()
        while ready.isEmpty { condition.wait() }
        let batch = ready.removeFirst()
        condition.signal()
        condition.unlock()
        return batch
    }

    public func stop() {
        condition.lock(); stopped = true; condition.broadcast(); condition.unlock()
    }
}
