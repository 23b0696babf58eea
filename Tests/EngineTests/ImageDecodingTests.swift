import Engine
import Foundation
import Testing

/// Decoded pixels compared with Pillow's (scripts/fixtures/make_image_fixtures.py).
@Suite struct ImageDecodingTests {
    struct Expected: Decodable {
        var width: Int, height: Int, channels: Int, maxValue: Int, pixels: [Int]
    }
    struct FixtureFile: Decodable { var images: [String: Expected] }

    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/images")
    static let expected: [String: Expected] = {
        let data = try! Data(contentsOf: directory.appendingPathComponent("images.json"))
        return try! JSONDecoder().decode(FixtureFile.self, from: data).images
    }()

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Largest difference from Pillow's decode, in the file's own levels (0-255 or 0-65535).
    func compare(_ name: String) throws -> Int {
        let image = try ImageFile.read(Self.path(name))
        let want = try #require(Self.expected[name])
        #expect(image.width == want.width && image.height == want.height && image.channels == want.channels,
                "\(name): \(image.width)x\(image.height)x\(image.channels), want \(want.width)x\(want.height)x\(want.channels)")
        var worst = 0
        for (got, expected) in zip(image.pixels, want.pixels) {
            worst = max(worst, abs(Int((got * Float(want.maxValue)).rounded()) - expected))
        }
        return worst
    }

    @Test func oneBitMaskDecodesToZeroAndOne() throws {
        #expect(try compare("mask_1bit.png") == 0)
        let mask = try ImageFile.read(Self.path("mask_1bit.png"))
        #expect(Set(mask.pixels) == [0, 1])
        #expect(mask.pixels.filter { $0 == 1 }.count == 3 * 6 + 1)
    }

    @Test(arguments: ["gray8.png", "rgb8.png", "rgba8.png", "gray_alpha8.png", "palette.png", "gray16.png"])
    func pngMatchesPillowExactly(_ name: String) throws {
        #expect(try compare(name) == 0)
    }

    @Test(arguments: ["photo.JPG", "gray.jpg"])
    func jpegMatchesPillowWithinOneLevel(_ name: String) throws {
        // Same libjpeg-turbo integer IDCT; versions may round a sample differently.
        #expect(try compare(name) <= 1)
    }

    @Test(arguments: ["truncated.jpg", "truncated.png", "not_an_image.png", "missing.png"])
    func damagedFilesAreErrorsNamingTheFile(_ name: String) throws {
        let path = Self.path(name)
        let error = try #require(throws: ImageError.self) { try ImageFile.read(path) }
        #expect(error.path == path)
        #expect(error.description.hasPrefix(path + ": "))
    }

    @Test func rgbAndFirstChannelConversions() throws {
        let gray = try ImageFile.read(Self.path("gray8.png"))
        let rgb = gray.rgb()
        #expect(rgb.channels == 3 && rgb[x: 3, y: 2, c: 1] == gray[x: 3, y: 2, c: 0])
        let rgba = try ImageFile.read(Self.path("rgba8.png"))
        #expect(rgba.rgb().pixels.count == rgba.width * rgba.height * 3)
        #expect(rgba.firstChannel()[x: 4, y: 1, c: 0] == rgba[x: 4, y: 1, c: 0])
    }
}
