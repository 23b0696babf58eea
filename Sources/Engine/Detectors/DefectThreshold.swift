// The score above which `report detect` calls a part defective, and the map value that outlines its defect regions,
// calibrated on normal views the detector did not fit: the normal images (or their tiles) flipped three ways.
import Foundation

public struct DefectThreshold: Codable, Sendable, Equatable {
    /// The image score above which a part is a defect.
    public var value: Float
    /// The map value at or above which a pixel belongs to a defect region (outlined); nil without normal views.
    public var region: Float?
    /// How they were set, in a sentence for the output.
    public var how: String
    /// The calibration views' image scores and their maps' largest values (empty when nothing was calibrated).
    public var normalScores: [Float]
    public var normalMapMaxima: [Float]

    /// **[choice]** The largest normal view's value plus half the normal views' standard deviation, for the image
    /// score and for the map alike: every view the calibration saw is `ok`, with a margin that grows with how much normal parts vary.
    public static let margin: Float = 0.5

    static func bound(_ values: [Float]) -> (value: Float, top: Float, deviation: Float) {
        let mean = values.reduce(0, +) / Float(values.count)
        let deviation = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)).squareRoot()
        let top = values.max()!
        return (top + margin * deviation, top, deviation)
    }

    /// From normal views' image scores and their maps' maxima; `given` replaces the image threshold.
    public static func calibrated(normalScores scores: [Float], mapMaxima: [Float], given: Float? = nil) -> DefectThreshold {
        precondition(!scores.isEmpty && scores.count == mapMaxima.count, "DefectThreshold: no normal view to calibrate on")
        let image = bound(scores), region = bound(mapMaxima)
        let how = given != nil ? "given with --threshold; regions outlined at the normal views' map bound"
            : "calibrated on \(scores.count) normal views (flips of the normal images, never fitted): their largest score \(format(image.top)) plus \(format(margin)) x their standard deviation \(format(image.deviation))"
        return DefectThreshold(value: given ?? image.value, region: region.value, how: how, normalScores: scores, normalMapMaxima: mapMaxima)
    }

    /// A threshold given without normal views (zero-shot WinCLIP): no region bound.
    public static func given(_ value: Float) -> DefectThreshold {
        DefectThreshold(value: value, region: nil, how: "given with --threshold", normalScores: [], normalMapMaxima: [])
    }

    static func format(_ x: Float) -> String { String(format: "%.4f", Double(x)) }

    /// The three flips of an image: views of a normal part the detector did not fit on.
    public static func flips(_ image: Image) -> [Image] {
        func flipped(horizontal: Bool, vertical: Bool) -> Image {
            var out = image
            let c = image.channels
            for y in 0..<image.height {
                let sy = vertical ? image.height - 1 - y : y
                for x in 0..<image.width {
                    let sx = horizontal ? image.width - 1 - x : x
                    for k in 0..<c { out.pixels[(y * image.width + x) * c + k] = image.pixels[(sy * image.width + sx) * c + k] }
                }
            }
            return out
        }
        return [flipped(horizontal: true, vertical: false), flipped(horizontal: false, vertical: true), flipped(horizontal: true, vertical: true)]
    }
}
