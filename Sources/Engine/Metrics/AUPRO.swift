// Area under the per-region-overlap curve up to a false-positive rate of 0.3, normalised by 0.3,
// as the MVTec AD benchmark defines it (Bergmann et al., IJCV 2021; its evaluation code's
// compute_pro and trapezoid_area): every defect region counts equally, whatever its size.
import Foundation

public enum AUPRO {
    /// The defect regions of a test set's masks, found once and shared by every map scored against them:
    /// each pixel's region, numbered over the whole set from 1 (0: a normal pixel), and each region's 1 / size.
    public struct Regions: Sendable {
        public let width: Int, height: Int
        let labels: [UInt32]
        /// Indexed by region number; entry 0 (normal pixels) is 0.
        let weights: [Double]
        let normalPixels: Int
        public var count: Int { weights.count - 1 }

        /// masks: one (height, width) mask per test image, non-zero = defect.
        public init(masks: [[Float]], width: Int, height: Int) throws {
            let pixels = width * height
            guard masks.count * pixels < Int(UInt32.max) else { throw EngineError.invalidInput("AUPRO: more than 4 billion pixels") }
            var labels = [UInt32](repeating: 0, count: masks.count * pixels)
            var weights: [Double] = [0], normal = 0
            for (i, mask) in masks.enumerated() {
                guard mask.count == pixels else { throw EngineError.invalidInput("AUPRO: every map and mask must have \(width)x\(height) pixels") }
                let (local, count) = ConnectedComponents.label(mask, width: width, height: height)
                var sizes = [Int](repeating: 0, count: count + 1)
                for l in local { sizes[Int(l)] += 1 }
                let base = UInt32(weights.count - 1)
                for p in 0..<pixels where local[p] != 0 { labels[i * pixels + p] = base + UInt32(local[p]) }
                normal += sizes[0]
                weights += sizes.dropFirst().map { 1 / Double($0) }
            }
            self.width = width; self.height = height; self.labels = labels; self.weights = weights; normalPixels = normal
        }

        var pixelCount: Int { labels.count }
    }

    /// maps and masks: one (height, width) pair per test image, mask non-zero = defect.
    public static func compute(maps: [[Float]], masks: [[Float]], width: Int, height: Int,
                               integrationLimit: Double = 0.3) throws -> Double {
        guard maps.count == masks.count, !maps.isEmpty else { throw EngineError.invalidInput("AUPRO: \(maps.count) maps for \(masks.count) masks") }
        return try compute(maps: maps, regions: Regions(masks: masks, width: width, height: height), integrationLimit: integrationLimit)
    }

    /// As above, against regions found once (the walk that also gives the pixel AUROC and F1-max: `PixelMetrics`).
    public static func compute(maps: [[Float]], regions: Regions, integrationLimit: Double = 0.3) throws -> Double {
        try PixelMetrics(maps: maps, regions: regions, integrationLimit: integrationLimit).aupro
    }

    /// Every pixel's order-preserving key, flipped, over its region number, radix-sorted on the key alone: highest
    /// score first, each with what the walks need (reading the region from the pixel's index would miss the cache).
    static func sortedDescending(_ maps: [[Float]], regions: Regions) -> [UInt64] {
        let pixels = regions.width * regions.height
        var order = [UInt64](repeating: 0, count: maps.count * pixels)
        order.withUnsafeMutableBufferPointer { out in
            regions.labels.withUnsafeBufferPointer { labels in
                for (i, map) in maps.enumerated() {
                    map.withUnsafeBufferPointer { m in
                        for p in 0..<pixels { out[i * pixels + p] = UInt64(~PixelAUROC.key(m[p])) << 32 | UInt64(labels[i * pixels + p]) }
                    }
                }
            }
        }
        RadixSort.sort(&order, fromBit: 32)
        return order
    }

    /// The PRO curve: false-positive rate and mean per-region overlap at every distinct threshold,
    /// from (0, 0) to (1, 1).
    public static func curve(maps: [[Float]], masks: [[Float]], width: Int, height: Int) throws -> (fpr: [Double], pro: [Double]) {
        guard maps.count == masks.count, !maps.isEmpty else { throw EngineError.invalidInput("AUPRO: \(maps.count) maps for \(masks.count) masks") }
        let regions = try Regions(masks: masks, width: width, height: height)
        guard regions.normalPixels > 0, regions.count > 0 else { throw EngineError.invalidInput("AUPRO needs normal pixels and at least one defect region") }
        guard maps.allSatisfy({ $0.count == width * height }) else { throw EngineError.invalidInput("AUPRO: every map and mask must have \(width)x\(height) pixels") }
        let order = sortedDescending(maps, regions: regions)
        var fprs: [Double] = [0], pros: [Double] = [0]
        var fp = 0.0, pro = 0.0
        for k in order.indices {
            let region = Int(order[k] & 0xFFFF_FFFF)
            if region == 0 { fp += 1 } else { pro += regions.weights[region] }
            if k + 1 == order.count || order[k + 1] >> 32 != order[k] >> 32 {
                fprs.append(min(fp / Double(regions.normalPixels), 1)); pros.append(min(pro / Double(regions.count), 1))
            }
        }
        fprs.append(1); pros.append(1)
        return (fprs, pros)
    }

    /// Trapezoid area under y(x) for x up to xMax, interpolating y at xMax (x ascending).
    public static func trapezoidArea(x: [Double], y: [Double], xMax: Double) -> Double {
        var area = 0.0
        for k in 1..<x.count {
            if x[k] <= xMax {
                area += 0.5 * (y[k] + y[k - 1]) * (x[k] - x[k - 1])
            } else {
                if x[k - 1] < xMax {
                    let yAt = y[k - 1] + (y[k] - y[k - 1]) * (xMax - x[k - 1]) / (x[k] - x[k - 1])
                    area += 0.5 * (yAt + y[k - 1]) * (xMax - x[k - 1])
                }
                break
            }
        }
        return area
    }
}
