// How hard the synthetic benchmark is: a 1-shot memory of raw 8x8 pixel patches, scored per
// class like every method (maps upsampled and blurred, pixel and image AUROC). Real MVTec AD sits
// where this should: clearly above chance, far from perfect (1-shot PatchCore: about 92% pixel AUROC).
import Foundation

public struct CalibrationRow: Codable, Sendable {
    public var product: String
    public var pixelAUROC: Double
    public var imageAUROC: Double
    /// Pixel AUROC on each defect kind's images (with all normal test images).
    public var pixelAUROCByDefect: [String: Double]
    public var defectAreaPercent: Double
}

public enum SyntheticCalibration {
    public static func rawPatchMemory(_ split: SyntheticSplit, size: Int, sigma: Float = 4) throws -> CalibrationRow {
        var memory = RawPatchMemory(patch: 8, stride: 8)
        memory.fit([split.train[0].image])
        var maps: [[Float]] = [], masks: [[Float]] = [], imageScores: [Float] = [], labels: [Bool] = []
        for sample in split.test {
            let (scores, gw, gh) = memory.score(sample.image)
            let map = EvaluationMap.make(patchScores: scores, gridWidth: gw, gridHeight: gh, size: size, sigma: sigma)
            maps.append(map); masks.append(sample.mask)
            imageScores.append(map.max() ?? 0); labels.append(sample.defect != nil)
        }
        var byDefect: [String: Double] = [:]
        for kind in DefectKind.allCases {
            let keep = split.test.indices.filter { split.test[$0].defect == nil || split.test[$0].defect == kind }
            byDefect[kind.rawValue] = try PixelAUROC.compute(maps: keep.map { maps[$0] }, masks: keep.map { masks[$0] })
        }
        let defective = split.test.filter { $0.defect != nil }
        let area = defective.reduce(0.0) { $0 + Double($1.mask.reduce(0, +)) } / Double(defective.count * size * size) * 100
        return CalibrationRow(product: split.product.rawValue, pixelAUROC: try PixelAUROC.compute(maps: maps, masks: masks),
                              imageAUROC: ImageAUROC.compute(scores: imageScores, labels: labels),
                              pixelAUROCByDefect: byDefect, defectAreaPercent: area)
    }
}
