@testable import Engine
import Testing

/// Tiles cover every pixel, crop what they say, and blend maps back without seams.
struct TilingTests {
    @Test func tilesCoverTheImageWithAQuartersOverlap() {
        let t = Tiling(width: 512, height: 256, side: 256)
        #expect(t.tiles.map(\.x) == [0, 192, 256] && t.tiles.allSatisfy { $0.y == 0 && $0.side == 256 })
        let big = Tiling(width: 1024, height: 1024, side: 448)
        #expect(Set(big.tiles.map(\.x)) == [0, 336, 576] && big.tiles.count == 9)
        #expect(Tiling(width: 100, height: 60, side: 500).side == 60, "a tile is at most the shorter side")
        #expect(Tiling.automaticSide(width: 224, height: 224, inputSide: 224) == nil)
        #expect(Tiling.automaticSide(width: 512, height: 256, inputSide: 224) == 256, "not square")
        #expect(Tiling.automaticSide(width: 1024, height: 1024, inputSide: 224) == 448, "much larger than the input")
    }

    @Test func aTileIsItsPartOfTheImageAndBlendingConstantMapsGivesThemBack() {
        var image = Image(width: 6, height: 4, channels: 1)
        image.pixels = (0..<24).map(Float.init)
        let t = Tiling(width: 6, height: 4, side: 4)
        #expect(t.crop(image, t.tiles[1]).pixels == [2, 3, 4, 5, 8, 9, 10, 11, 14, 15, 16, 17, 20, 21, 22, 23])
        // Each tile's map a constant: where they overlap the blend lies between the constants, elsewhere it is the tile's own.
        let blended = t.blend(t.tiles.indices.map { [Float](repeating: Float($0 + 1), count: 16) })
        #expect(blended[0] == 1 && blended[5] == 2)
        #expect(blended[2] > 1 && blended[2] < 2 && blended[3] > 1 && blended[3] < 2)
        // The tent: at x = 2 the first tile sees the pixel nearer its centre (weight 0.75 against 0.25), so it counts more.
        #expect(abs(blended[2] - 1.25) < 1e-6 && abs(blended[3] - 1.75) < 1e-6)
    }
}
