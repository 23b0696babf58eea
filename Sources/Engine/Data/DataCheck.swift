// Validates a dataset copy before a long run: counts per class and every problem found.
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
    /// `className` nil: every class found. `checkImages` also reads every header (sizes, corrupt files).
    public static func run(_ dataset: AnomalyDataset, className: String? = nil, checkImages: Bool = true) throws -> [ClassReport] {
        var names = try dataset.classes()
        if let className {
            guard names.contains(className) else {
                throw EngineError.invalidInput("class '\(className)' is not in \(dataset.root); classes found: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
            }
            names = [className]
        }
        if names.isEmpty {
            throw EngineError.invalidInput("\(dataset.root): no classes found (expected <class>/train/good\(dataset.kind == .visa ? " or split_csv/1cls.csv" : ""))")
        }
        return names.map { name in
            var problems: [String] = []
            let split: AnomalyClass
            do {
                split = dataset.isRawVisA ? try dataset.loadRawVisA(name) : try dataset.loadMVTecLayout(name)
            } catch {
                return ClassReport(name: name, trainGood: 0, testGood: 0, testDefective: [:], masks: 0, problems: ["\(error)"])
            }
            if split.train.isEmpty { problems.append("\(name): no normal training images") }
            if split.test.isEmpty { problems.append("\(name): no test images") }
            var defective: [String: Int] = [:]
            var masks = 0
            for sample in split.test where sample.isDefective {
                defective[sample.defect, default: 0] += 1
                guard let mask = sample.mask else { problems.append("\(sample.path): defective test image without a ground-truth mask"); continue }
                masks += 1
                guard checkImages else { continue }
                do {
                    let imageSize = try ImageFile.size(sample.path), maskSize = try ImageFile.size(mask)
                    if imageSize != maskSize {
                        problems.append("\(mask): mask is \(maskSize.width)x\(maskSize.height) but its image is \(imageSize.width)x\(imageSize.height) (resized with nearest at evaluation)")
                    }
                } catch { problems.append("\(error)") }
            }
            if checkImages {
                for sample in split.train + split.test.filter({ !$0.isDefective }) {
                    do { _ = try ImageFile.size(sample.path) } catch { problems.append("\(error)") }
                }
            }
            return ClassReport(name: name, trainGood: split.train.count, testGood: split.test.filter { !$0.isDefective }.count,
                               testDefective: defective, masks: masks, problems: problems)
        }
    }
}
