// Crafted files for the hostile-input tests of both test targets.
import Foundation

/// A PNG made of its signature, an IHDR chunk and an empty IEND: enough for a decoder to read the header's claims.
public enum CraftedPNG {
    public static func header(width: Int, height: Int, bitDepth: Int, colorType: Int) -> Data {
        var data = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func be32(_ v: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((v >> $0) & 0xFF) } }
        func chunk(_ type: String, _ body: [UInt8]) {
            let typed = Array(type.utf8) + body
            data.append(contentsOf: be32(body.count) + typed + be32(Int(crc32(typed))))
        }
        chunk("IHDR", be32(width) + be32(height) + [UInt8(bitDepth), UInt8(colorType), 0, 0, 0])
        chunk("IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])
        chunk("IEND", [])
        return data
    }

    /// The same bytes with every whole chunk's CRC recomputed (a mutated file whose structure still parses).
    public static func mendingChecksums(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        var at = 8
        while at + 12 <= bytes.count {
            let length = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            guard length >= 0, at + 12 + length <= bytes.count else { break }
            let crc = crc32(Array(bytes[(at + 4)..<(at + 8 + length)]))
            for (i, shift) in [24, 16, 8, 0].enumerated() { bytes[at + 8 + length + i] = UInt8((crc >> UInt32(shift)) & 0xFF) }
            at += 12 + length
        }
        return bytes
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
