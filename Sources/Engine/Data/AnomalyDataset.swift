// One protocol over several sources: MVTec AD, VisA (raw release or MVTec-like), and a user's own
// folder in MVTec layout (docs/method-notes.md section 8). Each class has normal training images and a
// test set of normal and defective images with masks.
import Foundation
import SwiftCSV

public struct AnomalySample: Sendable, Equatable, Codable {
    /// Path of the image file.
    public var path: String
    /// "good", or the defect type ("scratch", "bad", ...).
    public var defect: String
    /// Path of the ground-truth mask (non-zero = defect); nil for normal images.
    public var mask: String?
    public var isDefective: Bool { defect != "good" }

    public init(path: String, defect: String, mask: String?) { self.path = path; self.defect = defect; self.mask = mask }
}

public struct AnomalyClass: Sendable {
    public var name: String
    public var train: [AnomalySample]
    public var test: [AnomalySample]
}

public enum DatasetKind: String, CaseIterable, Sendable, Codable {
    case mvtec, visa, folder
    /// The project's synthetic benchmark (`report data synth`), in MVTec layout.
    case synthetic
}

public struct AnomalyDataset: Sendable {
    public var kind: DatasetKind
    public var root: String

    public static let mvtecClasses = ["bottle", "cable", "capsule", "carpet", "grid", "hazelnut", "leather", "metal_nut",
                                      "pill", "screw", "tile", "toothbrush", "transistor", "wood", "zipper"]
    public static let visaClasses = ["candle", "capsules", "cashew", "chewinggum", "fryum", "macaroni1", "macaroni2",
                                     "pcb1", "pcb2", "pcb3", "pcb4", "pipe_fryum"]
    /// What the decoders read (libpng, libjpeg-turbo); other image files are listed by `data check` as ignored.
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg"]
    static let unreadImageExtensions: Set<String> = ["bmp", "tif", "tiff", "webp", "gif"]

    public init(kind: DatasetKind, root: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EngineError.unreadable(root, "no such folder")
        }
        self.kind = kind
        self.root = root
    }

    var visaCSV: String { root + "/split_csv/1cls.csv" }
    var isRawVisA: Bool { kind == .visa && FileManager.default.fileExists(atPath: visaCSV) }

    /// The classes present under the root (for MVTec AD and VisA, those of the benchmark that exist).
    public func classes() throws -> [String] {
        if isRawVisA {
            let names = try Set(visaRows().map(\.object)).sorted()
            for name in names { try ContainedPath.checkName(name, what: "\(visaCSV): object") }
            return names
        }
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(root)/\($0)/train", isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
        switch kind {
        case .mvtec: return Self.mvtecClasses.filter(present.contains)
        case .visa: return Self.visaClasses.filter(present.contains)
        case .folder, .synthetic: return present
        }
    }

    /// One class's split; unknown or empty classes, and defective images without masks, are errors.
    public func load(_ name: String) throws -> AnomalyClass {
        try ContainedPath.checkName(name, what: "class")
        let classes = try classes()
        guard classes.contains(name) else {
            throw EngineError.invalidInput("class '\(name)' is not in \(root) (\(kind.rawValue)); classes found: \(classes.isEmpty ? "none" : classes.joined(separator: ", "))")
        }
        let loaded = isRawVisA ? try loadRawVisA(name) : try loadMVTecLayout(name)
        guard !loaded.train.isEmpty else { throw EngineError.invalidInput("\(root)/\(name): no normal training images") }
        guard !loaded.test.isEmpty else { throw EngineError.invalidInput("\(root)/\(name): no test images") }
        if let missing = loaded.test.first(where: { $0.isDefective && $0.mask == nil }) {
            throw EngineError.invalidInput("\(missing.path): defective test image without a ground-truth mask")
        }
        return loaded
    }

    static func images(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) && !$0.hasPrefix(".") }
            .sorted()
            .map { directory + "/" + $0 }
    }

    /// <class>/train/good, <class>/test/<defect>, <class>/ground_truth/<defect>/<stem>_mask.png (or <stem>.png).
    func loadMVTecLayout(_ name: String) throws -> AnomalyClass {
        let base = "\(root)/\(name)"
        let train = Self.images(in: base + "/train/good").map { AnomalySample(path: $0, defect: "good", mask: nil) }
        var test: [AnomalySample] = []
        let defects = ((try? FileManager.default.contentsOfDirectory(atPath: base + "/test")) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        for defect in defects {
            for path in Self.images(in: "\(base)/test/\(defect)") {
                var mask: String? = nil
                if defect != "good" {
                    let stem = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
                    mask = ["\(stem)_mask.png", "\(stem).png"].map { "\(base)/ground_truth/\(defect)/\($0)" }
                        .first { FileManager.default.fileExists(atPath: $0) }
                }
                test.append(AnomalySample(path: path, defect: defect, mask: mask))
            }
        }
        return AnomalyClass(name: name, train: train, test: test)
    }

    struct VisARow { var object, split, label, image, mask: String }

    func visaRows() throws -> [VisARow] {
        let csv: CSV<Named>
        do { csv = try CSV<Named>(url: URL(fileURLWithPath: visaCSV), delimiter: .comma) }
        catch { throw EngineError.corrupt(visaCSV, "cannot be parsed as CSV: \(error)") }
        let needed = ["object", "split", "label", "image", "mask"]
        if let missing = needed.first(where: { !csv.header.contains($0) }) {
            throw EngineError.corrupt(visaCSV, "has no '\(missing)' column (columns: \(csv.header.joined(separator: ", ")))")
        }
        return csv.rows.map { VisARow(object: $0["object"] ?? "", split: $0["split"] ?? "", label: $0["label"] ?? "",
                                      image: $0["image"] ?? "", mask: $0["mask"] ?? "") }
    }

    /// VisA's raw release: split_csv/1cls.csv lists every image with its split, label and mask.
    func loadRawVisA(_ name: String) throws -> AnomalyClass {
        var train: [AnomalySample] = [], test: [AnomalySample] = []
        for (index, row) in try visaRows().enumerated() where row.object == name {
            let defective = row.label == "anomaly"
            // Row 1 is the header; a path may not lead outside the dataset's root.
            let what = "\(visaCSV), row \(index + 2)"
            let sample = AnomalySample(path: try ContainedPath.resolve(row.image, inside: root, what: what), defect: defective ? "bad" : "good",
                                       mask: defective && !row.mask.isEmpty ? try ContainedPath.resolve(row.mask, inside: root, what: what) : nil)
            if row.split == "train" { if !defective { train.append(sample) } } else { test.append(sample) }
        }
        return AnomalyClass(name: name, train: train.sorted { $0.path < $1.path }, test: test.sorted { $0.path < $1.path })
    }
}
