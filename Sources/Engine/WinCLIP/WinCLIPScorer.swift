// WinCLIP's scoring as anomalib 2.7.0's `WinClipModel.forward` does it (docs/method-notes.md section 7).
// Zero-shot: class scores of the image and of every window; per scale the windows' harmonic map; the
// map is the harmonic mean of the image score and the scales' maps. WinCLIP+ (k-shot): the visual
// association maps of patch tokens and windows against the shots' (min (1 - cos) / 2), averaged; the
// map averages the zero- and few-shot maps, the image score the zero-shot score and the few-shot map's maximum.
import Foundation

public struct WinCLIPScorer: Sendable {
    public let windows: WinCLIPWindows
    /// Unit normal and anomalous text embeddings.
    let normal: [Float], anomalous: [Float]
    /// anomalib's fixed 0.07, not the model's logit scale.
    public let temperature: Float
    /// The shots' unit patch tokens (kP, C) and, per scale, unit window embeddings; empty for zero-shot.
    let referenceTokens: [Float], referenceWindows: [[Float]]
    let tokenWidth: Int, embedWidth: Int

    public init(text: (normal: [Float], anomalous: [Float]), windows: WinCLIPWindows, shots: [WinCLIPFeatures] = [], temperature: Float = 0.07) {
        self.windows = windows; self.temperature = temperature
        normal = Vector.normalized(text.normal); anomalous = Vector.normalized(text.anomalous)
        embedWidth = text.normal.count
        tokenWidth = shots.first.map { $0.patchTokens.count / (windows.gridHeight * windows.gridWidth) } ?? 0
        referenceTokens = Self.unit(shots.flatMap(\.patchTokens), width: tokenWidth)
        referenceWindows = windows.scales.indices.map { s in Self.unit(shots.flatMap { $0.windowEmbeddings[s] }, width: text.normal.count) }
    }

    public var isFewShot: Bool { !referenceTokens.isEmpty }

    /// softmax([cos(x, normal), cos(x, anomalous)] / T)[anomalous] for each row of `rows` (n, E).
    public func classScores(_ rows: [Float]) -> [Float] {
        let unit = Self.unit(rows, width: embedWidth)
        return stride(from: 0, to: unit.count, by: embedWidth).map { start in
            var n: Float = 0, a: Float = 0
            for e in 0..<embedWidth { n += unit[start + e] * normal[e]; a += unit[start + e] * anomalous[e] }
            return 1 / (1 + expf((n - a) / temperature))
        }
    }

    /// The zero-shot (image score, grid map) and, with shots, the combined ones; maps (gridHeight, gridWidth) row-major.
    public func score(_ f: WinCLIPFeatures) -> (score: Float, map: [Float]) {
        let zero = zeroShot(f)
        guard isFewShot else { return zero }
        let few = fewShotMap(f)
        return ((zero.score + (few.max() ?? 0)) / 2, zip(zero.map, few).map { ($0 + $1) / 2 })
    }

    /// The image score and the harmonic mean of it (broadcast) and each scale's harmonic window map.
    public func zeroShot(_ f: WinCLIPFeatures) -> (score: Float, map: [Float]) {
        let image = classScores(f.embedding)[0]
        let maps = windows.scales.indices.map { windows.harmonicMap(classScores(f.windowEmbeddings[$0]), scale: $0) }
        let count = Float(1 + maps.count)
        let map = (0..<(windows.gridHeight * windows.gridWidth)).map { p in
            count / (1 / image + maps.reduce(0) { $0 + 1 / $1[p] })
        }
        return (image, map)
    }

    /// The mean of the patch tokens' association map and each scale's harmonic map of its windows' association scores.
    public func fewShotMap(_ f: WinCLIPFeatures) -> [Float] {
        var maps = [Self.association(Self.unit(f.patchTokens, width: tokenWidth), referenceTokens, width: tokenWidth)]
        for s in windows.scales.indices {
            let scores = Self.association(Self.unit(f.windowEmbeddings[s], width: embedWidth), referenceWindows[s], width: embedWidth)
            maps.append(windows.harmonicMap(scores, scale: s))
        }
        return (0..<maps[0].count).map { p in maps.reduce(0) { $0 + $1[p] } / Float(maps.count) }
    }

    /// anomalib's `visual_association_score`: for each row, min over the memory of (1 - cos) / 2 (unit rows in both).
    static func association(_ rows: [Float], _ memory: [Float], width: Int) -> [Float] {
        let n = rows.count / width, m = memory.count / width
        guard n > 0, m > 0 else { return [Float](repeating: 0, count: n) }
        let cosines = BLAS.matmul(rows, memory, m: n, n: m, k: width, transposeB: true)
        return (0..<n).map { i in
            var best = -Float.infinity
            for j in 0..<m { best = max(best, cosines[i * m + j]) }
            return (1 - best) / 2
        }
    }

    static func unit(_ flat: [Float], width: Int) -> [Float] {
        guard width > 0 else { return [] }
        return Vector.unitRows(flat, width: width).flatMap { $0 }
    }
}
