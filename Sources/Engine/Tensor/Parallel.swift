import Dispatch
import Foundation

/// Splits work into contiguous chunks, one per core, and runs them concurrently.
public enum Parallel {
    /// Cores the engine uses (matrix products and loops); ENGINE_CORES overrides the machine's count.
    nonisolated(unsafe) public static var cores = Int(ProcessInfo.processInfo.environment["ENGINE_CORES"] ?? "")
        ?? ProcessInfo.processInfo.activeProcessorCount

    /// Calls `body(range)` on disjoint ranges covering 0..<count; small jobs run inline.
    @inlinable
    public static func chunks(_ count: Int, minimumChunk: Int = 4096, _ body: (Range<Int>) -> Void) {
        workers(count, minimumChunk: minimumChunk) { _, range in body(range) }
    }

    /// As `chunks`, also passing the worker's number (0..<cores), e.g. to pick its scratch buffer.
    @inlinable
    public static func workers(_ count: Int, minimumChunk: Int = 1, _ body: (Int, Range<Int>) -> Void) {
        let workers = min(cores, max(1, count / max(minimumChunk, 1)))
        if workers <= 1 { body(0, 0..<count); return }
        let size = (count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let start = w * size
            if start < count { body(w, start..<min(count, start + size)) }
        }
    }
}

extension Parallel {
    /// `transform` of every element, computed over the cores (one element per call), in order.
    public static func map<T, U>(_ items: [T], _ transform: (T) -> U) -> [U] {
        var out = [U?](repeating: nil, count: items.count)
        out.withUnsafeMutableBufferPointer { buffer in
            let buffer = buffer
            DispatchQueue.concurrentPerform(iterations: items.count) { i in buffer[i] = transform(items[i]) }
        }
        return out.map { $0! }
    }
}
