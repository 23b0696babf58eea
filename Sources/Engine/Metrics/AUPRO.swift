// Area under the per-region-overlap curve up to a false-positive rate of 0.3, normalised by 0.3,
// as the MVTec AD benchmark defines it (Bergmann et al., IJCV 2021; its evaluation code's
// compute_pro and trapezoid_area): every defect region counts equally, whatever its size.
import Foundation

public enum AUPRO {
    /// maps and masks: one (height, width) pair per test image, mask non-zero = defect.
    public static func compute(maps: [[Float]], masks: [[Float]], width: Int, height: Int,
                               integrationLimit: Double = 0.3) throws -> Double {
        let (fprs, pros) = try curve(maps: maps, masks: masks, width: width, height: height)
        return trapezoidArea(x: fprs, y: pros, xMax: integrationLimit) / integrationLimit
    }

    /// The PRO curve: false-positive rate and mean per-region overlap at every distinct threshold,
    /// from (0, 0) to (1, 1).
    public static func curve(maps: [[Float]], masks: [[Float]], width: Int, height: Int) throws -> (fpr: [Double], pro: [Double]) {
        guard maps.count == masks.count, !maps.isEmpty else { throw EngineError.invalidInput("AUPRO: \(maps.count) maps for \(masks.count) masks") }
        let pixels = width * height
        var scores: [Float] = [], fpChange: [Float] = [], proChange: [Double] = []
        scores.reserveCapacity(maps.count * pixels)
        var okPixels = 0, regions = 0
        for (map, mask) in zip(maps, masks) {
            guard map.count == pixels, mask.count == pixels else {
                throw EngineError.invalidInput("AUPRO: every map and mask must have \(width)x\(height) pixels")
            }
            let (labels, count) = ConnectedComponents.label(mask, width: width, height: height)
            regions += count
            var sizes = [Int](repeating: 0, count: count + 1)
            for l in labels { sizes[Int(l)] += 1 }
            for i in 0..<pixels {
                scores.append(map[i])
                let l = Int(labels[i])
                fpChange.append(l == 0 ? 1 : 0)
                proChange.append(l == 0 ? 0 : 1 / Double(sizes[l]))
                if l == 0 { okPixels += 1 }
            }
        }
        guard okPixels > 0, regions > 0 else { throw EngineError.invalidInput("AUPRO needs normal pixels and at least one defect region") }
        // Highest score first: each pixel's order-preserving key, flipped, over its index; radix-sorted on the key alone.
        var order = scores.indices.map { UInt64(~PixelAUROC.key(scores[$0])) << 32 | UInt64($0) }
        RadixSort.sort(&order, fromBit: 32)
        var fprs: [Double] = [0], pros: [Double] = [0]
        var fp = 0.0, pro = 0.0
        for k in order.indices {
            let i = Int(order[k] & 0xFFFF_FFFF)
            fp += Double(fpChange[i]); pro += proChange[i]
            // Among equal scores only the last point counts (all of them pass the threshold together).
            if k + 1 == order.count || order[k + 1] >> 32 != order[k] >> 32 {
                fprs.append(min(fp / Double(okPixels), 1)); pros.append(min(pro / Double(regions), 1))
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
