// `report detect`'s picture of one inspected part: the image at its own resolution (one PNG pixel per image pixel)
// with the anomaly map blended over it, the regions at or above the threshold outlined, the verdict and score above,
// and a colour bar with the threshold marked beside it.
import Foundation

public struct InspectionOverlay: Drawing {
    /// The image, (height, width, 3) RGB in [0, 1], and the map over it (height, width).
    public var image: [Float]
    public var map: [Float]
    public var width: Int
    public var height: Int
    public var range: ClosedRange<Float>
    /// The map value outlined as a defect region and marked on the bar; nil: none.
    public var threshold: Float?
    public var defective: Bool
    /// The verdict line ("DEFECT · score 0.412 ≥ threshold 0.330") and a second line (where the strongest region is).
    public var headline: String
    public var detail: String

    /// PNG pixels per point (FigureWriter's default): the image is drawn at width / scale points, so 1:1 in the PNG.
    public static let scale = 2.0
    static let header = 40.0, bar = 84.0, minimumWidth = 300.0

    public init(image: [Float], map: [Float], width: Int, height: Int, range: ClosedRange<Float>, threshold: Float?,
                defective: Bool, headline: String, detail: String) {
        precondition(image.count == width * height * 3 && map.count == width * height, "InspectionOverlay: sizes do not match \(width)x\(height)")
        self.image = image; self.map = map; self.width = width; self.height = height; self.range = range
        self.threshold = threshold; self.defective = defective; self.headline = headline; self.detail = detail
    }

    var imageWidth: Double { Double(width) / Self.scale }
    var imageHeight: Double { Double(height) / Self.scale }
    /// The image and its colour bar, or the verdict's lines when they are wider (a small part).
    public var size: (width: Double, height: Double) { (max(imageWidth + Self.bar, Self.minimumWidth), imageHeight + Self.header) }

    /// The map in jet over the image, half and half; pixels on a region's edge (at or above the threshold, beside one below) white.
    func blended() -> [Float] {
        var out = image
        let span = max(range.upperBound - range.lowerBound, 1e-12)
        for p in 0..<(width * height) {
            let colour = Colormap.jet.color(Double((map[p] - range.lowerBound) / span))
            for (c, value) in [colour.red, colour.green, colour.blue].enumerated() {
                out[p * 3 + c] = 0.5 * image[p * 3 + c] + 0.5 * Float(value)
            }
        }
        // A two-pixel outline, so it shows on a large part's overlay too.
        guard let threshold else { return out }
        for y in 0..<height {
            for x in 0..<width where map[y * width + x] >= threshold {
                var edge = false
                for (dx, dy) in [(-2, 0), (2, 0), (0, -2), (0, 2), (-1, 0), (1, 0), (0, -1), (0, 1)] {
                    let nx = x + dx, ny = y + dy
                    if nx < 0 || ny < 0 || nx >= width || ny >= height || map[ny * width + nx] < threshold { edge = true; break }
                }
                if edge { for c in 0..<3 { out[(y * width + x) * 3 + c] = 1 } }
            }
        }
        return out
    }

    public func draw(on canvas: Canvas) {
        let verdictColour = defective ? Color(hex: 0xB00020) : Color(hex: 0x1B7F3B)
        canvas.text(headline, at: 4, 4, size: 11, color: verdictColour, bold: true)
        canvas.text(detail, at: 4, 21, size: 8, color: .text)
        canvas.raster(blended(), width: width, height: height, into: 0, Self.header, imageWidth, imageHeight)
        // The colour bar: the run's scale, the threshold marked.
        let x = imageWidth + 8, top = Self.header + 12, h = max(imageHeight - 26, 60), w = 12.0
        let steps = 64
        for i in 0..<steps {
            let t = 1 - Double(i) / Double(steps - 1)
            canvas.fill(rect: x, top + Double(i) * h / Double(steps), w, h / Double(steps) + 0.5, Colormap.jet.color(t))
        }
        canvas.stroke(rect: x, top, w, h, .axis, width: 0.5)
        // The scale's ends above and below the bar, so the region mark beside it never covers them.
        canvas.text(String(format: "%.3f", Double(range.upperBound)), at: x, top - 2, size: 7, baseline: .bottom)
        canvas.text(String(format: "%.3f", Double(range.lowerBound)), at: x, top + h + 2, size: 7, baseline: .top)
        guard let threshold else { return }
        let span = max(range.upperBound - range.lowerBound, 1e-12)
        let fraction = Double(min(max((threshold - range.lowerBound) / span, 0), 1))
        let ty = top + (1 - fraction) * h
        canvas.line(from: (x - 3, ty), to: (x + w + 3, ty), .black, width: 1.2)
        canvas.text("region", at: x + w + 3, ty, size: 7, bold: true, baseline: .middle)
    }
}
