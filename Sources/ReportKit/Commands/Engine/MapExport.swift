import Engine
import Foundation

/// `--save-maps`: every test image's evaluation map as float32 .npy, named by the image's path
/// under the data root (`bottle/test/scratch/003.png` -> `bottle/test/scratch/003.npy`), and
/// scores.json with each image's score, label and map file, so the metrics can be recomputed elsewhere.
enum MapExport {
    static func write(_ results: [ExperimentResult], to directory: String) throws {
        let base = URL(fileURLWithPath: directory)
        var entries: [[String: Any]] = []
        for result in results {
            let size = result.configuration.evaluationSize
            for image in result.images {
                let name = (image.path as NSString).deletingPathExtension + ".npy"
                let url = base.appendingPathComponent(name)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try NumPyFile.write(result.evaluationMap(image), shape: [size, size], to: url)
                var entry: [String: Any] = ["class": result.configuration.className, "path": image.path, "map": name,
                                            "score": Double(image.score), "label": image.isDefective ? 1 : 0, "defect": image.defect]
                if let mask = image.mask { entry["mask"] = mask }
                entries.append(entry)
            }
        }
        let object: [String: Any] = ["dataRoot": results.first?.dataRoot ?? "", "evaluationSize": results.first?.configuration.evaluationSize ?? 0,
                                     "images": entries]
        try AtomicFile.write(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]),
                             to: base.appendingPathComponent("scores.json"))
    }
}
