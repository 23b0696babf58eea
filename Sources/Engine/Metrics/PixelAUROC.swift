// Pixel-level AUROC over whole test sets (VisA at 256x256 is 150 million pixels): exact and
// tie-aware like roc_auc_score, without holding the maps. Each pixel becomes a 32-bit key that
// sorts as its score does; positives and negatives are radix-sorted apart and merged once.
import Foundation

public struct PixelAUROC {
    /// Keys of defect pixels and of normal pixels.
    private var positives: [UInt32] = []
    private var negatives: [UInt32] = []
    private var sorted = false

    public init(expectedPixels: Int = 0) {
        negatives.reserveCapacity(expectedPixels)
    }

    /// An order-preserving map from Float to UInt32: negative numbers flipped, positive ones offset.
    @inlinable @inline(__always)
    static func key(_ score: Float) -> UInt32 {
        let bits = score.bitPattern
        return bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000
    }

    /// Adds one image: its anomaly map and its mask (non-zero = defect), the same size.
    public mutating func add(map: [Float], mask: [Float]) throws {
        guard map.count == mask.count else {
            throw EngineError.invalidInput("pixel AUROC: a map of \(map.count) pixels with a mask of \(mask.count)")
        }
        if let bad = map.firstIndex(where: { $0.isNaN }) { throw EngineError.invalidInput("pixel AUROC: the map holds NaN at pixel \(bad)") }
        sorted = false
        for i in 0..<map.count {
            if mask[i] != 0 { positives.append(Self.key(map[i])) } else { negatives.append(Self.key(map[i])) }
        }
    }

    public var pixelCount: Int { positives.count + negatives.count }

    /// The AUROC of every pixel added; nan when either class has no pixel.
    public mutating func compute() -> Double {
        guard !positives.isEmpty, !negatives.isEmpty else { return .nan }
        sort()
        // For each run of equal negative scores: the positives above count 1, those equal count 1/2.
        let P = positives.count, N = negatives.count
        var area = 0.0
        var i = 0          // positives below the current value
        var j = 0
        while j < N {
            let v = negatives[j]
            var equalNegatives = 0
            while j < N && negatives[j] == v { equalNegatives += 1; j += 1 }
            while i < P && positives[i] < v { i += 1 }
            var equalPositives = 0
            while i + equalPositives < P && positives[i + equalPositives] == v { equalPositives += 1 }
            area += Double(equalNegatives) * (Double(P - i - equalPositives) + 0.5 * Double(equalPositives))
        }
        return area / (Double(P) * Double(N))
    }

    /// The two sorts run side by side; the scratch of one array at a time keeps memory near 2 x 4 bytes a pixel.
    private mutating func sort() {
        guard !sorted else { return }
        DispatchQueue.concurrentPerform(iterations: 2) { which in
            if which == 0 { RadixSort.sort(&positives) } else { RadixSort.sort(&negatives) }
        }
        sorted = true
    }

    /// The best F1 over thresholds (a pixel is called defective when its score is at least the
    /// threshold), as sklearn's precision_recall_curve gives it; 0 when no pixel is defective.
    public mutating func f1Max() -> Double {
        guard !positives.isEmpty else { return 0 }
        sort()
        // Thresholds from the highest score down: tp and fp count the keys at or above it.
        var i = positives.count, j = negatives.count
        var best = 0.0
        let P = Double(positives.count)
        while i > 0 || j > 0 {
            let v = max(i > 0 ? positives[i - 1] : 0, j > 0 ? negatives[j - 1] : 0)
            while i > 0 && positives[i - 1] == v { i -= 1 }
            while j > 0 && negatives[j - 1] == v { j -= 1 }
            let tp = Double(positives.count - i), fp = Double(negatives.count - j)
            best = max(best, 2 * tp / (tp + fp + P))
        }
        return best
    }

    /// One call for maps already in memory.
    public static func compute(maps: [[Float]], masks: [[Float]]) throws -> Double {
        guard maps.count == masks.count else { throw EngineError.invalidInput("pixel AUROC: \(maps.count) maps for \(masks.count) masks") }
        var accumulator = PixelAUROC(expectedPixels: maps.reduce(0) { $0 + $1.count })
        for (map, mask) in zip(maps, masks) { try accumulator.add(map: map, mask: mask) }
        return accumulator.compute()
    }
}

/// Least-significant-digit radix sort of unsigned keys in 11-bit passes from bit `fromBit` up (lower bits
/// ride along unsorted, stably: an index under a score key); a pass whose digit is the same for every key is skipped.
enum RadixSort {
    // Specialised here: callers in other files of a build without whole-module optimisation would get the generic, 10x slower code.
    @_specialize(where Key == UInt32)
    @_specialize(where Key == UInt64)
    static func sort<Key: FixedWidthInteger & UnsignedInteger>(_ keys: inout [Key], fromBit: Int = 0) {
        let n = keys.count
        guard n > 1 else { return }
        var scratch = [Key](repeating: 0, count: n)
        var inScratch = false
        var counts = [Int](repeating: 0, count: 2048)
        for shift in stride(from: fromBit, to: Key.bitWidth, by: 11) {
            let everyKeyAlike = counts.withUnsafeMutableBufferPointer { counts -> Bool in
                counts.update(repeating: 0)
                func count(_ src: UnsafeBufferPointer<Key>) { for k in src { counts[Int(truncatingIfNeeded: (k >> shift) & 2047)] += 1 } }
                if inScratch { scratch.withUnsafeBufferPointer(count) } else { keys.withUnsafeBufferPointer(count) }
                if counts.contains(n) { return true }  // every key has this digit: nothing to move
                var offset = 0
                for d in 0..<2048 { let c = counts[d]; counts[d] = offset; offset += c }
                func move(_ src: UnsafeBufferPointer<Key>, _ dst: UnsafeMutableBufferPointer<Key>) {
                    for k in src { let d = Int(truncatingIfNeeded: (k >> shift) & 2047); dst[counts[d]] = k; counts[d] += 1 }
                }
                if inScratch {
                    scratch.withUnsafeBufferPointer { src in keys.withUnsafeMutableBufferPointer { move(src, $0) } }
                } else {
                    keys.withUnsafeBufferPointer { src in scratch.withUnsafeMutableBufferPointer { move(src, $0) } }
                }
                return false
            }
            if !everyKeyAlike { inScratch.toggle() }
        }
        if inScratch { swap(&keys, &scratch) }
    }
}
