import Dispatch
import Foundation

/// Splits `count` items into contiguous chunks, one per core, and runs them concurrently.
public enum Parallel {
    /// Cores used by the engine's own loops (OpenBLAS has its own pool, BLAS.threads).
    nonisolated(unsafe) public static var cores = ProcessInfo.processInfo.activeProcessorCount

    /// Calls `body(range)` on disjoint ranges covering 0..<count; small jobs run inline.
    @inlinable
    public static func chunks(_ count: Int, minimumChunk: Int = 4096, _ body: (Range<Int>) -> Void) {
        let workers = min(cores, max(1, count / max(minimumChunk, 1)))
        if workers <= 1 { body(0..<count); return }
        let size = (count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let start = w * size
            if start < count { body(start..<min(count, start + size)) }
        }
    }
}
