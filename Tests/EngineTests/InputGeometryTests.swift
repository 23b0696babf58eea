@testable import Engine
import Foundation
import Testing

/// The detector's input, its maps, the masks and the overlays cover the same pixels, for non-square images too.
@Suite struct InputGeometryTests {
    /// 192 x 96, grey, with a red defect near the left edge and its mask: outside the centre square.
    static func part() -> (image: Image, mask: Image) {
        var image = Image(width: 192, height: 96, channels: 3, fill: 0.5)
        var mask = Image(width: 192, height: 96, channels: 1)
        for y in 40..<56 { for x in 4..<20 {
            image[x: x, y: y, c: 0] = 1; image[x: x, y: y, c: 1] = 0; image[x: x, y: y, c: 2] = 0
            mask[x: x, y: y, c: 0] = 1
        } }
        return (image, mask)
    }

    /// Pixels of the view that are the defect's red, against the mask's defect pixels.
    static func overlap(_ geometry: InputGeometry, side: Int) -> (red: Set<Int>, masked: Set<Int>) {
        let (image, mask) = part()
        let view = geometry.view(image, side: side), masked = geometry.mask(mask, side: side)
        let red = Set((0..<(side * side)).filter { view.pixels[$0 * 3] > 0.8 && view.pixels[$0 * 3 + 1] < 0.2 })
        return (red, Set(masked.indices.filter { masked[$0] > 0 }))
    }

    @Test func theViewAndTheMaskCoverTheSamePixels() {
        let squash = Self.overlap(.squash, side: 64)
        #expect(!squash.masked.isEmpty, "squash keeps the whole image, the edge defect included")
        let iou = Double(squash.red.intersection(squash.masked).count) / Double(squash.red.union(squash.masked).count)
        #expect(iou > 0.7, "IoU of the drawn defect and its mask: \(iou)")
        let crop = Self.overlap(.centerCrop, side: 64)
        #expect(crop.masked.isEmpty && crop.red.isEmpty, "the centre square holds neither the defect nor its mask")
    }

    @Test func theModelSeesTheRegionTheMaskCovers() {
        let (image, _) = Self.part()
        let squash = CLIPPreprocess(height: 32, width: 32, geometry: .squash)(image)
        let crop = CLIPPreprocess(height: 32, width: 32, geometry: .centerCrop)(image)
        // Red channel at (x 2, y 15): the defect after squashing 192 x 96 to 32 x 32; grey after the centre crop.
        let red = (1 - CLIPPreprocess.mean[0]) / CLIPPreprocess.std[0], grey = (0.5 - CLIPPreprocess.mean[0]) / CLIPPreprocess.std[0]
        #expect(abs(squash[15 * 32 + 2] - red) < 0.2 && abs(crop[15 * 32 + 2] - grey) < 0.05)
    }

    @Test func experimentScoringReadsMasksInTheExperimentsGeometry() throws {
        let path = NSTemporaryDirectory() + "geometry-\(UUID().uuidString).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNGCodec.write(Self.part().mask, to: path)
        let scored = ScoredImage(path: "x.png", defect: "crack", mask: path, score: 0, patchMap: [])
        #expect(try ExperimentScoring.mask(scored, root: "/", size: 64, geometry: .squash) == InputGeometry.squash.mask(try ImageFile.read(path), side: 64))
        #expect(try ExperimentScoring.mask(scored, root: "/", size: 64, geometry: .centerCrop).allSatisfy { $0 == 0 })
    }
}
