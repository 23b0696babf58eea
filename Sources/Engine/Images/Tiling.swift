// Overlapping square tiles over a whole image, so a part larger than the model's input, or not square, is inspected
// at the resolution its defects live at: each tile is seen as an image of its own and the tiles' maps are blended
// back over the full image (as inspection tools' tilers do; anomalib's is the anchor).

public struct Tiling: Sendable, Equatable {
    public struct Tile: Sendable, Equatable {
        public var x: Int
        public var y: Int
        public var side: Int
    }

    public var width: Int
    public var height: Int
    public var side: Int
    public var tiles: [Tile]

    /// **[choice]** Neighbouring tiles overlap by a quarter of their side, the last one flush with the image's edge.
    public static let overlap = 0.25

    /// Tiles of `side` pixels (at most the image's shorter side) covering every pixel of a `width` x `height` image.
    public init(width: Int, height: Int, side: Int) {
        precondition(width > 0 && height > 0 && side > 0, "Tiling: \(width)x\(height) in tiles of \(side)")
        let side = min(side, width, height)
        self.width = width; self.height = height; self.side = side
        let xs = Self.starts(length: width, side: side), ys = Self.starts(length: height, side: side)
        tiles = ys.flatMap { y in xs.map { x in Tile(x: x, y: y, side: side) } }
    }

    /// Where tiles start along one side: a stride of side x (1 - overlap), the last tile ending at the edge.
    static func starts(length: Int, side: Int) -> [Int] {
        guard length > side else { return [0] }
        let stride = max(1, Int(Double(side) * (1 - overlap)))
        var starts = Swift.stride(from: 0, to: length - side, by: stride).map { $0 }
        starts.append(length - side)
        return starts
    }

    /// **[choice]** `--tile auto`: tile an image more than twice the model's input on its longer side, or more than
    /// 1.25 times as long as it is wide (or the reverse), in tiles of its shorter side but at most twice the input; nil: no tiling.
    public static func automaticSide(width: Int, height: Int, inputSide: Int) -> Int? {
        let long = max(width, height), short = min(width, height)
        guard long > 2 * inputSide || Double(long) > 1.25 * Double(short) else { return nil }
        return min(short, 2 * inputSide)
    }

    /// One tile of `image` as an image of its own.
    public func crop(_ image: Image, _ tile: Tile) -> Image {
        precondition(image.width == width && image.height == height, "Tiling: a \(image.width)x\(image.height) image for \(width)x\(height) tiles")
        return image.cropped(x: tile.x, y: tile.y, width: tile.side, height: tile.side)
    }

    /// **[choice]** A tile's weight across its side when maps are blended: a tent, highest at the centre and 0.05 at
    /// the edges, so where tiles overlap the one that sees a pixel nearer its centre counts more and seams do not show.
    static func weights(_ side: Int) -> [Float] {
        (0..<side).map { i in max(0.05, 1 - abs(2 * (Float(i) + 0.5) / Float(side) - 1)) }
    }

    /// The tiles' patch maps (each gridHeight x gridWidth, in `tiles` order, one after another) as one map over the image.
    /// **[choice]** each is upsampled and blurred (sigma 4) at its tile's side in the image's pixels, then blended.
    public func blend(patchMaps: [Float], gridWidth: Int, gridHeight: Int) -> [Float] {
        let patches = gridWidth * gridHeight
        precondition(patchMaps.count == tiles.count * patches, "Tiling: \(patchMaps.count) patch scores for \(tiles.count) tiles")
        return blend(tiles.indices.map { t in
            EvaluationMap.make(patchScores: Array(patchMaps[t * patches ..< (t + 1) * patches]), gridWidth: gridWidth, gridHeight: gridHeight, size: side)
        })
    }

    /// The tiles' maps (each side x side, in `tiles` order) over the whole image: their weighted mean where tiles overlap.
    public func blend(_ maps: [[Float]]) -> [Float] {
        precondition(maps.count == tiles.count && maps.allSatisfy { $0.count == side * side }, "Tiling: \(maps.count) maps for \(tiles.count) tiles")
        var sum = [Float](repeating: 0, count: width * height), total = [Float](repeating: 0, count: width * height)
        let w = Self.weights(side)
        for (tile, map) in zip(tiles, maps) {
            for row in 0..<side {
                let o = (tile.y + row) * width + tile.x
                for col in 0..<side {
                    let weight = w[row] * w[col]
                    sum[o + col] += weight * map[row * side + col]; total[o + col] += weight
                }
            }
        }
        return zip(sum, total).map { $0 / $1 }
    }
}

// Stored as its image's size and its side (an experiment's record of how an image was seen): the tiles follow from them.
extension Tiling: Codable {
    enum CodingKeys: String, CodingKey { case width, height, side }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let width = try c.decode(Int.self, forKey: .width), height = try c.decode(Int.self, forKey: .height), side = try c.decode(Int.self, forKey: .side)
        guard width > 0, height > 0, side > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .side, in: c, debugDescription: "tiles of \(side) px over a \(width)x\(height) image")
        }
        self.init(width: width, height: height, side: side)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(width, forKey: .width); try c.encode(height, forKey: .height); try c.encode(side, forKey: .side)
    }
}
