// The pixel-level metrics of one experiment from a single sort of its pixels: AUROC (tie-aware, as
// roc_auc_score), F1-max (as precision_recall_curve) and AUPRO (as the MVTec AD evaluation code),
// walked together from the highest score down. For maps already in memory; `PixelAUROC` streams.
import Foundation

public struct PixelMetrics: Sendable {
    public let auroc: Double
    public let f1Max: Double
    public let aupro: Double

    /// `maps`: one (height, width) map per test image, scored against `regions` (the test images' masks).
    public init(maps: [[Float]], regions: AUPRO.Regions, integrationLimit: Double = 0.3) throws {
        let pixels = regions.width * regions.height
        guard !maps.isEmpty, maps.count * pixels == regions.pixelCount else {
            throw EngineError.invalidInput("pixel metrics: \(maps.count) maps for masks of \(regions.pixelCount / max(pixels, 1)) images")
        }
        guard regions.normalPixels > 0, regions.count > 0 else { throw EngineError.invalidInput("AUPRO needs normal pixels and at least one defect region") }
        guard maps.allSatisfy({ $0.count == pixels }) else { throw EngineError.invalidInput("pixel metrics: every map and mask must have \(regions.width)x\(regions.height) pixels") }
        if let bad = maps.firstIndex(where: { $0.contains { $0.isNaN } }) { throw EngineError.invalidInput("pixel metrics: map \(bad) holds NaN") }
        let order = AUPRO.sortedDescending(maps, regions: regions)
        let N = Double(regions.normalPixels), P = Double(regions.pixelCount - regions.normalPixels), regionCount = Double(regions.count)
        var tp = 0.0, fp = 0.0, rocArea = 0.0, bestF1 = 0.0
        var groupPositives = 0.0, groupNegatives = 0.0, pro = 0.0
        // AUPRO's trapezoids up to the limit, as AUPRO.trapezoidArea over AUPRO.curve.
        var proArea = 0.0, x0 = 0.0, y0 = 0.0, proDone = false
        func reach(_ x: Double, _ y: Double) {
            guard !proDone else { return }
            if x > integrationLimit {
                if x0 < integrationLimit { proArea += 0.5 * (y0 + y0 + (y - y0) * (integrationLimit - x0) / (x - x0)) * (integrationLimit - x0) }
                proDone = true
                return
            }
            proArea += 0.5 * (y + y0) * (x - x0)
            x0 = x; y0 = y
        }
        order.withUnsafeBufferPointer { order in
            regions.weights.withUnsafeBufferPointer { weights in
                for k in order.indices {
                    let region = Int(order[k] & 0xFFFF_FFFF)
                    if region == 0 { groupNegatives += 1 } else { groupPositives += 1; pro += weights[region] }
                    // A threshold between distinct scores: every pixel of the group passes it together.
                    guard k + 1 == order.count || order[k + 1] >> 32 != order[k] >> 32 else { continue }
                    rocArea += groupNegatives * (tp + 0.5 * groupPositives)
                    tp += groupPositives; fp += groupNegatives
                    groupPositives = 0; groupNegatives = 0
                    bestF1 = max(bestF1, 2 * tp / (tp + fp + P))
                    reach(min(fp / N, 1), min(pro / regionCount, 1))
                }
            }
        }
        reach(1, 1)   // the PRO curve ends at (1, 1)
        auroc = rocArea / (P * N)
        f1Max = bestF1
        aupro = proArea / integrationLimit
    }
}
