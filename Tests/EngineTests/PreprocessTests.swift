import Engine
import Foundation
import Testing

/// CLIPPreprocess against open_clip's transform (torchvision on PIL), within 1/255.
@Suite struct PreprocessTests {
    struct Case: Decodable { var image: String; var size: Int; var expected: String }
    static let root = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/clip/preprocess")
    static let cases: [Case] = try! JSONDecoder().decode([Case].self, from: Data(contentsOf: root.appendingPathComponent("cases.json")))

    @Test(arguments: 0..<cases.count)
    func withinOneLevelOfPIL(_ index: Int) throws {
        let c = Self.cases[index]
        let image = try ImageFile.read(Self.root.appendingPathComponent(c.image).path)
        let ours = CLIPPreprocess(height: c.size, width: c.size)(image)
        let (theirs, shape) = try NumPyFile.read(Self.root.appendingPathComponent(c.expected))
        #expect(shape == [3, c.size, c.size])
        // Back to [0, 1] units: the difference in 8-bit levels.
        var worst: Float = 0
        for i in 0..<ours.count {
            let channel = i / (c.size * c.size)
            worst = max(worst, abs(ours[i] - theirs[i]) * CLIPPreprocess.std[channel] * 255)
        }
        #expect(worst <= 1.001, "\(c.image) at \(c.size): \(worst) levels off")
    }

    @Test func bicubicWeightsMatchPILsKernel() {
        // Shrinking 4:1 widens the kernel to 16 taps, as Pillow's antialiasing does.
        let coefficients = PILResize.coefficients(inSize: 64, outSize: 16, filter: .bicubic)
        #expect(coefficients[8].weights.count >= 15)
        let sum = coefficients[8].weights.reduce(0) { $0 + Int($1) }
        #expect(abs(sum - (1 << 22)) <= 16)
    }
}
