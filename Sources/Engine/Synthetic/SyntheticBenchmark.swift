// The default run's data: every synthetic product with normal training images and a test set of
// normal and defective ones, deterministic from a seed, in memory or written in MVTec AD's layout.
import Dispatch
import Foundation

public struct SyntheticSample: Sendable {
    public var image: Image
    /// (size x size), 1 = defect; all zero for normal images.
    public var mask: [Float]
    public var defect: DefectKind?
    public var name: String
}

public struct SyntheticSplit: Sendable {
    public var product: SyntheticProduct
    public var train: [SyntheticSample]
    public var test: [SyntheticSample]
}

public struct SyntheticBenchmark: Sendable {
    public var seed: UInt64
    public var size: Int
    public var trainGood = 20
    public var testGood = 20
    /// Defective test images per defect kind (7 kinds: 35 defective images a class).
    public var perDefectKind = 5

    public init(seed: UInt64 = 0, size: Int = 256) { self.seed = seed; self.size = size }

    func random(_ product: SyntheticProduct, _ split: UInt64, _ index: Int) -> SeededRandom {
        let p = UInt64(SyntheticProduct.allCases.firstIndex(of: product)!)
        return SeededRandom(seed: seed &* 0x9E37_79B9 &+ p &* 1_000_003 &+ split &* 10_007 &+ UInt64(index))
    }

    public func sample(_ product: SyntheticProduct, split: UInt64, index: Int, defect: DefectKind?) -> SyntheticSample {
        var r = random(product, split, index)
        let variation = SyntheticVariation.random(for: product, &r)
        guard let kind = defect else {
            let (image, mask) = SyntheticRenderer.render(product, size: size, variation: variation)
            return SyntheticSample(image: image, mask: mask, defect: nil, name: String(format: "%03d", index))
        }
        // A defect that lands mostly off the object is drawn again elsewhere: every defective image
        // has at least 0.1% of its pixels marked.
        let minimumArea = Float(size * size) / 1000
        var best: (Image, [Float])? = nil
        for _ in 0..<20 {
            let spec = SyntheticRenderer.placeDefect(kind, product: product, size: size, variation: variation, &r)
            let rendered = SyntheticRenderer.render(product, size: size, variation: variation, defect: spec)
            if best == nil || rendered.mask.reduce(0, +) > best!.1.reduce(0, +) { best = rendered }
            if rendered.mask.reduce(0, +) >= minimumArea { break }
        }
        return SyntheticSample(image: best!.0, mask: best!.1, defect: kind, name: String(format: "%03d", index))
    }

    public func split(_ product: SyntheticProduct) -> SyntheticSplit {
        let train = (0..<trainGood).map { sample(product, split: 0, index: $0, defect: nil) }
        var test = (0..<testGood).map { sample(product, split: 1, index: $0, defect: nil) }
        for (k, kind) in DefectKind.allCases.enumerated() {
            test += (0..<perDefectKind).map { sample(product, split: 2 + UInt64(k), index: $0, defect: kind) }
        }
        return SyntheticSplit(product: product, train: train, test: test)
    }

    /// Every product, generated on the cores.
    public func allSplits(products: [SyntheticProduct] = SyntheticProduct.allCases) -> [SyntheticSplit] {
        let lock = NSLock()
        var out = [SyntheticSplit?](repeating: nil, count: products.count)
        DispatchQueue.concurrentPerform(iterations: products.count) { i in
            let s = split(products[i])
            lock.lock(); out[i] = s; lock.unlock()
        }
        return out.map { $0! }
    }

    /// Writes <class>/train/good, test/good, test/<defect>, ground_truth/<defect>/<name>_mask.png under `directory`,
    /// by the write rule (`OwnedFolder`): a new, empty or earlier benchmark folder only, built beside it and renamed in.
    public func write(to directory: String, products: [SyntheticProduct] = SyntheticProduct.allCases) throws {
        let fm = FileManager.default
        try OwnedFolder(directory, command: "report data synth").write { staging in
            for s in allSplits(products: products) {
                let base = staging.appendingPathComponent(s.product.rawValue).path
                for (folder, samples) in [("train/good", s.train), ("test/good", s.test.filter { $0.defect == nil })] {
                    try fm.createDirectory(atPath: "\(base)/\(folder)", withIntermediateDirectories: true)
                    for sample in samples { try PNGCodec.write(sample.image, to: "\(base)/\(folder)/\(sample.name).png") }
                }
                for sample in s.test where sample.defect != nil {
                    let kind = sample.defect!.rawValue
                    try fm.createDirectory(atPath: "\(base)/test/\(kind)", withIntermediateDirectories: true)
                    try fm.createDirectory(atPath: "\(base)/ground_truth/\(kind)", withIntermediateDirectories: true)
                    try PNGCodec.write(sample.image, to: "\(base)/test/\(kind)/\(sample.name).png")
                    try PNGCodec.write(Image(width: size, height: size, channels: 1, pixels: sample.mask),
                                       to: "\(base)/ground_truth/\(kind)/\(sample.name)_mask.png")
                }
            }
        }
    }
}
