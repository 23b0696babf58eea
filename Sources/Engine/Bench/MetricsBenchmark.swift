// Pixel AUROC at VisA's scale (2,290 test maps of 256x256, about 150 million pixels), for `report bench metrics`.
import Foundation

public struct MetricsBenchmarkResult: Codable, Sendable {
    public var pixels: Int
    public var addSeconds: Double
    public var computeSeconds: Double
    public var totalSeconds: Double
    public var peakRSSBytes: Int
    public var auroc: Double
}

public enum MetricsBenchmark {
    public static func pixelAUROC(images: Int = 2290, side: Int = 256) throws -> MetricsBenchmarkResult {
        var generator = SplitMix64(seed: 5)
        var map = [Float](repeating: 0, count: side * side), mask = [Float](repeating: 0, count: side * side)
        var accumulator = PixelAUROC(expectedPixels: images * side * side)
        var addSeconds = 0.0
        for _ in 0..<images {
            // A defect square in a third of the images, scored a little higher; 16-bit scores give ties.
            let defective = generator.next() % 3 == 0
            let x0 = Int(generator.next() % UInt64(side - 40)), y0 = Int(generator.next() % UInt64(side - 40))
            for i in 0..<(side * side) {
                let inside = defective && (i / side - y0) >= 0 && (i / side - y0) < 40 && (i % side - x0) >= 0 && (i % side - x0) < 40
                mask[i] = inside ? 1 : 0
                map[i] = Float(generator.next() & 0xFFFF) / 65536 + (inside ? 0.25 : 0)
            }
            let start = Date()
            try accumulator.add(map: map, mask: mask)
            addSeconds += Date().timeIntervalSince(start)
        }
        let start = Date()
        let auroc = accumulator.compute()
        let computeSeconds = Date().timeIntervalSince(start)
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return MetricsBenchmarkResult(pixels: images * side * side, addSeconds: addSeconds, computeSeconds: computeSeconds,
                                      totalSeconds: addSeconds + computeSeconds, peakRSSBytes: Int(usage.ru_maxrss) * 1024, auroc: auroc)
    }
}
