@testable import Engine
import Foundation
import TestSupport
import Testing

/// A seeded mutation fuzzer over the PNG, JPEG and safetensors readers: thousands of damaged copies
/// of valid files (bit flips, overwritten bytes, extreme header values, cut and spliced runs), each of
/// which must decode or throw the reader's own error. A trap or an unbounded allocation ends the test
/// process, so a pass means none happened. Bounded by a count and a time budget per format.
@Suite struct DecoderFuzzTests {
    static let images = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/images")
    static let model = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip/tiny_gelu_f16/model.safetensors")

    /// Seeded (the engine's SplitMix64): the same mutations on every run and machine.
    struct Mutator {
        var generator: SplitMix64
        init(state: UInt64) { generator = SplitMix64(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

        /// One to four mutations; `header` bytes at the front are hit more often, where the claims live.
        mutating func mutate(_ input: [UInt8], header: Int) -> [UInt8] {
            var bytes = input
            for _ in 0..<(1 + below(4)) where !bytes.isEmpty {
                let at = below(4) == 0 ? below(bytes.count) : below(min(header, bytes.count))
                switch below(7) {
                case 0: bytes[at] ^= UInt8(1 << below(8))
                case 1: bytes[at] = UInt8(truncatingIfNeeded: next())
                case 2: bytes[at] = [0x00, 0xFF, 0x7F, 0x80][below(4)]
                case 3: for i in at..<min(at + 4, bytes.count) { bytes[i] = 0xFF }   // a 32-bit field at its largest
                case 4: bytes.removeSubrange(at..<min(at + 1 + below(64), bytes.count))
                case 5: bytes = Array(bytes.prefix(at))   // truncated
                default:
                    let from = below(bytes.count), length = min(1 + below(32), bytes.count - from)
                    bytes.insert(contentsOf: bytes[from..<(from + length)], at: at)
                }
            }
            return bytes
        }
    }

    struct Tally { var decoded = 0, refused = 0 }

    func fuzz(_ seeds: [[UInt8]], header: Int, iterations: Int, seconds: Double, seed: UInt64,
              _ attempt: ([UInt8]) throws -> Void) -> Tally {
        var mutator = Mutator(state: seed)
        var tally = Tally()
        let start = Date()
        for i in 0..<iterations {
            if Date().timeIntervalSince(start) > seconds { break }
            let input = mutator.mutate(seeds[i % seeds.count], header: header)
            do { try attempt(input); tally.decoded += 1 } catch is ImageError { tally.refused += 1 } catch is EngineError { tally.refused += 1 }
            catch { Issue.record("a reader threw \(type(of: error)), not its own error: \(error)") }
        }
        print("fuzz seed \(seed): \(tally.decoded) decoded, \(tally.refused) refused in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        return tally
    }

    func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: Self.images.appendingPathComponent(name))) }

    @Test func damagedPNGsDecodeOrAreRefused() throws {
        let seeds = try ["rgb8.png", "rgba8.png", "gray16.png", "palette.png", "mask_1bit.png", "gray_alpha8.png"].map(bytes)
        // Chunk checksums are mended after mutating, or libpng would stop every input at its CRC check.
        let tally = fuzz(seeds, header: 40, iterations: 20000, seconds: 8, seed: 1) { input in
            let image = try PNGCodec.decode(Data(CraftedPNG.mendingChecksums(input)), path: "fuzz.png")
            #expect(image.width * image.height <= ImageLimits.maxPixels)
        }
        #expect(tally.refused > 0 && tally.decoded + tally.refused > 500, "\(tally)")
    }

    @Test func damagedJPEGsDecodeOrAreRefused() throws {
        let seeds = try ["photo.JPG", "gray.jpg", "cmyk.jpg"].map(bytes)
        let tally = fuzz(seeds, header: 200, iterations: 20000, seconds: 8, seed: 2) { input in
            let image = try JPEGCodec.decode(Data(input), path: "fuzz.jpg")
            #expect(image.width * image.height <= ImageLimits.maxPixels)
        }
        #expect(tally.refused > 0 && tally.decoded + tally.refused > 500, "\(tally)")
    }

    @Test func damagedSafetensorsLoadOrAreRefused() throws {
        let original = [UInt8](try Data(contentsOf: Self.model))
        let headerLength = Int(original[0]) | Int(original[1]) << 8 | Int(original[2]) << 16
        let path = NSTemporaryDirectory() + "fuzz-\(UUID().uuidString).safetensors"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tally = fuzz([original], header: 8 + headerLength, iterations: 1500, seconds: 8, seed: 3) { input in
            try Data(input).write(to: URL(fileURLWithPath: path))
            let file = try Safetensors(path: path)
            for name in file.entries.keys where Safetensors.readableTypes.contains(file.entries[name]!.dtype) { _ = try file.floats(name) }
            _ = try CLIPWeights.load(path: path, configPath: Self.model.deletingLastPathComponent().appendingPathComponent("config.json").path)
        }
        #expect(tally.refused > 0 && tally.decoded + tally.refused > 200, "\(tally)")
    }
}
