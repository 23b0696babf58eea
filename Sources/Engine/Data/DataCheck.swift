// Validates a dataset copy before a long run: counts per class and every problem found, including
// everything `eval` would reject later (unreadable, truncated or oversized images, masks whose size
// differs from their image, all-zero masks on defective images, image files of a kind not read).
import Foundation

public struct ClassReport: Codable, Sendable {
    public var name: String
    public var trainGood: Int
    public var testGood: Int
    public var testDefective: [String: Int]
    public var masks: Int
    public var problems: [String]
}

public enum DataCheck {
    /// How deeply images are checked.
    public enum Depth: Sendable {
        /// Counts and paths only.
        case listing
        /// Also every image's header (size, kind, the pixel limit): seconds for a whole dataset.
        case headers
        /// Also every pixel decoded, masks read: what `eval` would meet (about a minute for MVTec AD on 2 cores).
        case decode
    }

    /// `className` nil: every class found.
    public static func run(_ dataset: AnomalyDataset, className: String? = nil, depth: Depth = .decode) throws -> [ClassReport] {
        var names = try dataset.classes()
        if let className {
            try ContainedPath.checkName(className, what: "class")
            guard names.contains(className) else {
                throw EngineError.invalidInput("class '\(className)' is not in \(dataset.root); classes found: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
            }
            names = [className]
        }
        if names.isEmpty {
            throw EngineError.invalidInput("\(dataset.root): no classes found (expected <class>/train/good\(dataset.kind == .visa ? " or split_csv/1cls.csv" : ""))")
        }
        return names.map { check(dataset, $0, depth: depth) }
    }

    static func check(_ dataset: AnomalyDataset, _ name: String, depth: Depth) -> ClassReport {
        var problems: [String] = []
        let split: AnomalyClass
        do {
            split = dataset.isRawVisA ? try dataset.loadRawVisA(name) : try dataset.loadMVTecLayout(name)
        } catch {
            return ClassReport(name: name, trainGood: 0, testGood: 0, testDefective: [:], masks: 0, problems: ["\(error)"])
        }
        if split.train.isEmpty { problems.append("\(name): no normal training images") }
        if split.test.isEmpty { problems.append("\(name): no test images") }
        if !dataset.isRawVisA { problems += ignoredImageFiles(under: "\(dataset.root)/\(name)") }
        var defective: [String: Int] = [:]
        var masks = 0
        for sample in split.test where sample.isDefective {
            defective[sample.defect, default: 0] += 1
            if sample.mask == nil { problems.append("\(sample.path): defective test image without a ground-truth mask") } else { masks += 1 }
        }
        if depth != .listing {
            problems += Parallel.map(split.train + split.test) { check($0, depth: depth) }.flatMap { $0 }
        }
        return ClassReport(name: name, trainGood: split.train.count, testGood: split.test.filter { !$0.isDefective }.count,
                           testDefective: defective, masks: masks, problems: problems)
    }

    /// One image and its mask: readable (header or pixels), within the limits, the mask the image's size and not empty.
    static func check(_ sample: AnomalySample, depth: Depth) -> [String] {
        func size(_ path: String) throws -> (width: Int, height: Int) {
            if depth == .decode { let image = try ImageFile.read(path); return (image.width, image.height) }
            return try ImageFile.size(path)
        }
        var problems: [String] = []
        let imageSize: (width: Int, height: Int)?
        do { imageSize = try size(sample.path) } catch { problems.append("\(error)"); imageSize = nil }
        guard let mask = sample.mask else { return problems }
        do {
            let maskSize: (width: Int, height: Int)
            if depth == .decode {
                let image = try ImageFile.read(mask)
                maskSize = (image.width, image.height)
                if !image.pixels.contains(where: { $0 > 0 }) {
                    problems.append("\(mask): the mask of a defective image is all zero (pixel metrics would count no defect there)")
                }
            } else {
                maskSize = try ImageFile.size(mask)
            }
            if let imageSize, imageSize != maskSize {
                problems.append("\(mask): mask is \(maskSize.width)x\(maskSize.height) but its image is \(imageSize.width)x\(imageSize.height) (resized with nearest at evaluation)")
            }
        } catch { problems.append("\(error)") }
        return problems
    }

    /// Image files of kinds the decoders do not read (BMP, TIFF, ...), which the listing passes over.
    static func ignoredImageFiles(under directory: String) -> [String] {
        var counts: [String: Int] = [:]
        let walker = FileManager.default.enumerator(atPath: directory)
        while let path = walker?.nextObject() as? String {
            let ext = (path as NSString).pathExtension.lowercased()
            if AnomalyDataset.unreadImageExtensions.contains(ext) { counts[ext, default: 0] += 1 }
        }
        return counts.sorted { $0.key < $1.key }.map {
            "\(directory): \($0.value) .\($0.key) file(s) ignored: only PNG and JPEG are read (convert them, e.g. with ImageMagick's mogrify -format png)"
        }
    }
}
