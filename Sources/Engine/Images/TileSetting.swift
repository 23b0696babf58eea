// Whether an image is seen whole or in overlapping square tiles: `report detect`'s and `report eval`'s --tile,
// and an experiment's configuration ("off", "auto" or a side in pixels in its JSON).
import Foundation

public enum TileSetting: Hashable, Sendable, CustomStringConvertible {
    /// The whole image, resized to the model's input (the paper's 256 x 256).
    case off
    /// Tiles only for an image much larger than the model's input or not square (`Tiling.automaticSide`).
    case auto
    /// Tiles of this many pixels of the original image.
    case side(Int)

    /// "off", "auto" or a side of at least 16 pixels.
    public init?(argument: String) {
        switch argument {
        case "off": self = .off
        case "auto": self = .auto
        default:
            guard let n = Int(argument), n >= 16 else { return nil }
            self = .side(n)
        }
    }

    public var description: String {
        switch self {
        case .off: return "off"
        case .auto: return "auto"
        case .side(let n): return "\(n)"
        }
    }

    /// The tiles of a `width` x `height` image for a model whose input is `inputSide` pixels; nil: seen whole.
    public func tiling(width: Int, height: Int, inputSide: Int) -> Tiling? {
        switch self {
        case .off: return nil
        case .side(let n): return Tiling(width: width, height: height, side: n)
        case .auto: return Tiling.automaticSide(width: width, height: height, inputSide: inputSide).map { Tiling(width: width, height: height, side: $0) }
        }
    }
}

// In JSON as --tile's words: "off", "auto", or the side as a number.
extension TileSetting: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let n = try? c.decode(Int.self) {
            guard n >= 16 else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "a tile side must be at least 16 pixels, not \(n)") }
            self = .side(n)
            return
        }
        let word = try c.decode(String.self)
        guard let setting = TileSetting(argument: word) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "tile is \"off\", \"auto\" or a side in pixels, not \"\(word)\"")
        }
        self = setting
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        if case .side(let n) = self { try c.encode(n) } else { try c.encode(description) }
    }
}
